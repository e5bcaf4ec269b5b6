"""One Blocks page per language: header with the language switch, then the tabs."""

from __future__ import annotations

import gradio as gr

from copilot.ui.community_tab import CommunityTab
from copilot.ui.compliance_tab import ComplianceTab
from copilot.ui.evals_tab import EvalsTab
from copilot.ui.i18n import Lang, Texts
from copilot.ui.knowledge_tab import KnowledgeTab
from copilot.ui.outreach_tab import OutreachTab
from copilot.ui.reply_tab import ReplyTab
from copilot.ui.workbench import Workbench

LANG_PATHS: dict[Lang, str] = {"zh": "/", "en": "/en"}

# Keyboard shortcuts of the reply tab: Ctrl/Cmd+Enter suggest, Alt+A accept, Alt+N next.
SHORTCUTS = """
<script>
document.addEventListener("keydown", (event) => {
  const press = (id) => {
    const el = document.getElementById(id);
    if (el) { event.preventDefault(); el.click(); }
  };
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") press("siyu-suggest");
  else if (event.altKey && event.code === "KeyA") press("siyu-accept");
  else if (event.altKey && event.code === "KeyN") press("siyu-next");
});
</script>
"""


def build_blocks(wb: Workbench, lang: Lang) -> gr.Blocks:
    t = Texts(lang)
    other: Lang = "en" if lang == "zh" else "zh"
    tabs = (
        ("tab_reply", ReplyTab),
        ("tab_community", CommunityTab),
        ("tab_outreach", OutreachTab),
        ("tab_kb", KnowledgeTab),
        ("tab_evals", EvalsTab),
        ("tab_compliance", ComplianceTab),
    )
    with gr.Blocks(title=t("title"), analytics_enabled=False) as blocks:
        with gr.Row():
            gr.Markdown(f"## {t('title')}\n{t('tagline')}")
            gr.HTML(
                f'<div style="text-align:right"><a id="siyu-lang" href="{LANG_PATHS[other]}/">'
                f"{t('switch')}</a></div>"
            )
        with gr.Tabs():
            for key, tab in tabs:
                with gr.Tab(t(key), elem_id=f"siyu-{key.replace('_', '-')}"):
                    tab(wb, t).build()
    return blocks
