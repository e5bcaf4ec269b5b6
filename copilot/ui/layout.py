"""One Blocks page per language: header with the language switch, then the tabs."""

from __future__ import annotations

import json

import gradio as gr

from copilot.errors import HINT_LABEL
from copilot.ui.community_tab import CommunityTab
from copilot.ui.compliance_tab import ComplianceTab
from copilot.ui.dashboard_tab import DashboardTab
from copilot.ui.evals_tab import EvalsTab
from copilot.ui.i18n import Lang, Texts, in_language
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

# Oversized uploads: the browser would refuse the whole selection with an English toast and
# drop the good files too. This drops only the files over the limit before Gradio sees them
# (file picker and drag-and-drop) and names them under the upload box. The server
# keeps its own limit (max_file_size), so this only makes the refusal clear and partial.
UPLOAD_GUARD = """
<script>
(() => {
  const LIMIT_MB = __LIMIT_MB__;
  const TEXT = __TEXT__;
  const inUpload = (el) => el instanceof Element && el.closest("#siyu-upload");
  const keep = (files) => {
    const ok = new DataTransfer(), big = [];
    for (const f of files) {
      if (f.size > LIMIT_MB * 1048576) big.push(`${f.name}(${(f.size / 1048576).toFixed(1)} MB)`);
      else ok.items.add(f);
    }
    let note = document.getElementById("siyu-too-large");
    if (!big.length) note?.remove();
    else {
      if (!note) {
        note = document.createElement("div");
        note.id = "siyu-too-large";
        note.className = "siyu-error";
        document.getElementById("siyu-upload")?.after(note);
      }
      note.textContent = `${TEXT.too_large}: ${big.join(TEXT.list_sep)} · `
        + `${TEXT.upload_limit} ${LIMIT_MB} MB\n${TEXT.hint}: ${TEXT.split_upload}`;
    }
    return [ok.files, big.length > 0];
  };
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!inUpload(input) || input.type !== "file") return;
    const [files, dropped] = keep(input.files);
    if (!dropped) return;
    input.files = files;
    if (!files.length) event.stopImmediatePropagation();
  }, true);
  document.addEventListener("drop", (event) => {
    if (!inUpload(event.target) || !event.dataTransfer) return;
    const [files, dropped] = keep(event.dataTransfer.files);
    if (!dropped) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const input = document.querySelector("#siyu-upload input[type=file]");
    if (input && files.length) {
      input.files = files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }, true);
})();
</script>
"""


def page_head(max_upload_mb: float, lang: Lang) -> str:
    """Scripts of a page: keyboard shortcuts and the upload size guard, in the page's language."""
    t = Texts(lang)
    keys = ("too_large", "list_sep", "upload_limit", "split_upload")
    text = {key: t(key) for key in keys} | {"hint": HINT_LABEL.render(lang)}
    guard = UPLOAD_GUARD.replace("__LIMIT_MB__", f"{max_upload_mb:g}")
    return SHORTCUTS + guard.replace("__TEXT__", json.dumps(text, ensure_ascii=False))


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
        ("tab_dashboard", DashboardTab),
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
    for event in blocks.fns.values():  # library messages render in the page's language
        if event.fn is not None:
            event.fn = in_language(lang, event.fn)
    return blocks
