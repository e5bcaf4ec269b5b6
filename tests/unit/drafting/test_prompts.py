from __future__ import annotations

from pathlib import Path

import pytest

from copilot.config import bundled_dir
from copilot.drafting.outputs import JudgeOutput
from copilot.drafting.prompts import PromptLibrary, load_prompt_file, schema_text
from copilot.errors import ConfigError
from copilot.messages import render

PROMPTS = bundled_dir("prompts")
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize("path", sorted(PROMPTS.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_prompts_load_and_fence_data(path: Path) -> None:
    spec = load_prompt_file(path)
    assert path.name == f"{spec.id}.{spec.language}.yaml"
    assert len(spec.hash) == 16
    if spec.task != "judge":
        assert "<evidence>" in spec.system or "evidence" in spec.system
        # the output format: the JSON schema, or its fields described in words
        assert "$evidence" in spec.user
        assert "$schema" in spec.user or "suggestions" in spec.system


def test_render_fills_the_schema_and_chat_carries_the_prompt_identity() -> None:
    spec = PromptLibrary(PROMPTS).get("judge", "zh")
    system, user = spec.render({"rubric": "要礼貌", "input": "运费?", "output": "满99元包邮"})
    assert schema_text(JudgeOutput) in system + user and "$schema" not in system + user
    chat = spec.chat(system, user, {"task": "judge"})
    assert (chat.prompt_id, chat.version, chat.hash) == ("judge", spec.version, spec.hash)
    assert chat.messages() == [("system", system), ("user", user)]
    assert chat.context == {"task": "judge"}
    assert chat.response_schema == JudgeOutput.model_json_schema()


def test_every_task_has_zh_and_en() -> None:
    names = {p.name for p in PROMPTS.glob("*.yaml")}
    for task in ("reply", "post", "message", "judge"):
        assert {f"{task}.zh.yaml", f"{task}.en.yaml"} <= names


def test_broken_prompt_fails_with_readable_message() -> None:
    with pytest.raises(ConfigError) as caught:
        load_prompt_file(FIXTURES / "prompts_broken" / "reply.zh.yaml")
    message = render(caught.value.message, "en")
    assert message.startswith("invalid prompt file: ")
    assert render(caught.value.message, "zh").startswith("提示词文件无效: ")
    assert "temperature" in message  # unknown key
    assert (
        "ReplyOutputs" in message and "JudgeOutput, MessageOutput" in message
    )  # lists valid schemas
    assert "reply.zh.yaml" in caught.value.where


@pytest.mark.parametrize(
    ("content", "zh", "en"),
    [
        ("id: [unclosed", "无法读取提示词文件", "cannot read prompt file"),
        ("- a list", "提示词文件应是一个映射", "a prompt file must be a YAML mapping"),
        ("", "提示词文件应是一个映射", "a prompt file must be a YAML mapping"),
    ],
)
def test_unreadable_prompt_files(tmp_path: Path, content: str, zh: str, en: str) -> None:
    path = tmp_path / "reply.zh.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_prompt_file(path)
    assert caught.value.render("zh").startswith(f"{path}: {zh}")
    assert caught.value.render("en").startswith(f"{path}: {en}")


def test_unknown_placeholder_lists_valid_ones(tmp_path: Path) -> None:
    text = (PROMPTS / "reply.zh.yaml").read_text(encoding="utf-8").replace("$today", "$todya")
    (tmp_path / "reply.zh.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"todya.*customer_message"):
        load_prompt_file(tmp_path / "reply.zh.yaml")


def test_hash_changes_with_content_and_file_name_must_match(tmp_path: Path) -> None:
    original = load_prompt_file(PROMPTS / "reply.zh.yaml")
    text = (PROMPTS / "reply.zh.yaml").read_text(encoding="utf-8").replace("简洁", "简短")
    (tmp_path / "reply.zh.yaml").write_text(text, encoding="utf-8")
    assert load_prompt_file(tmp_path / "reply.zh.yaml").hash != original.hash
    (tmp_path / "answer.zh.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reply\.zh\.yaml"):
        load_prompt_file(tmp_path / "answer.zh.yaml")


def test_missing_prompt_lists_available(tmp_path: Path) -> None:
    (tmp_path / "post.zh.yaml").write_text((PROMPTS / "post.zh.yaml").read_text("utf-8"), "utf-8")
    with pytest.raises(ConfigError) as caught:
        PromptLibrary(tmp_path).get("reply", "zh")
    assert render(caught.value.hint, "en") == "available: post.zh.yaml; or check SIYU_PROMPTS_DIR"
    assert render(caught.value.hint, "zh") == "可用: post.zh.yaml;或检查 SIYU_PROMPTS_DIR"
