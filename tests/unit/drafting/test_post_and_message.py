from __future__ import annotations

from datetime import datetime

import pytest

from copilot.drafting import MessageRequest, PostRequest, guard
from copilot.errors import InputError
from copilot.llm.fake import FakeBackend
from copilot.messages import language
from tests.unit.drafting.conftest import FakeRetriever, MakeDrafter


@pytest.mark.parametrize("post_type", ["tips", "seeding", "ugc", "promo"])
def test_template_posts_cite_product_facts(make_drafter: MakeDrafter, post_type: str) -> None:
    request = PostRequest(post_type=post_type, topic="婴儿奶粉冲调", brief="本周主推1段奶粉")  # type: ignore[arg-type]
    result = make_drafter().post(request)
    draft = result.drafts[0]
    assert "婴儿奶粉冲调" in draft.text.splitlines()[0]
    assert "本周主推1段奶粉。" in draft.text
    assert "SKU" not in draft.text and "价格:" not in draft.text
    assert draft.citations and not draft.needs_human
    if post_type == "promo":
        assert draft.citations[0].source == "knowledge/promotions.jsonl"


def test_post_without_facts_asks_for_a_person(make_drafter: MakeDrafter) -> None:
    result = make_drafter(retriever=FakeRetriever(relevant=False)).post(
        PostRequest(post_type="tips", topic="婴儿奶粉冲调")
    )
    assert result.drafts[0].needs_human and not result.drafts[0].citations


def test_post_retrieves_for_the_planned_day(make_drafter: MakeDrafter) -> None:
    retriever = FakeRetriever()
    planned = datetime(2026, 7, 18, 10, 0)
    make_drafter(retriever=retriever).post(
        PostRequest(post_type="promo", topic="会员日", planned_at=planned)
    )
    assert retriever.queries[0][1] is not None and retriever.queries[0][1].on == planned.date()


@pytest.mark.parametrize(
    ("request_data", "error"),
    [
        ({"post_type": "tips", "topic": "  "}, "topic"),
        ({"post_type": "tips", "topic": "奶粉", "brief": "长" * 1001}, "brief"),
    ],
)
def test_bad_post_requests(make_drafter: MakeDrafter, request_data: dict, error: str) -> None:
    with pytest.raises(InputError) as caught:
        make_drafter().post(PostRequest.model_validate(request_data))
    assert caught.value.where == error


def test_birthday_message_uses_permitted_fields_and_brief(make_drafter: MakeDrafter) -> None:
    request = MessageRequest(
        playbook="birthday",
        fields={"name": "王芳"},
        withheld=["city", "birthday"],
        consents=["birthday_greeting"],
        brief="生日专享8折优惠券,有效期7天",
    )
    result = make_drafter().message(request)
    text = result.drafts[0].text
    assert text.startswith("亲爱的王芳") and "生日快乐" in text and "8折优惠券" in text
    assert "回复TD退订" in text
    assert result.fields_used == ["name"] and result.fields_withheld == ["birthday", "city"]
    assert result.verdict.verdict != "block", result.verdict.findings


def test_a_number_field_counts_as_used_only_as_a_whole_number(make_drafter: MakeDrafter) -> None:
    request = MessageRequest(
        playbook="birthday",
        fields={"name": "王芳", "order_count": "1"},
        consents=["birthday_greeting", "order_history_use"],
        brief="生日当月满199元减30元",
    )
    result = make_drafter().message(request)
    assert "199" in result.drafts[0].text
    assert result.fields_used == ["name"]


@pytest.mark.parametrize(
    ("playbook", "fields", "missing", "salutation"),
    [
        ("birthday", {}, ["name"], "亲爱的顾客"),
        ("post_purchase", {"name": "李雷"}, ["last_order_items"], "亲爱的李雷"),
        ("member_day", {"name": "韩梅", "tier": "金禾"}, [], "亲爱的韩梅"),
        ("dormant", {"nickname": "小梅"}, [], "亲爱的小梅"),
        ("member_day", {"nickname": "小梅"}, ["tier"], "亲爱的小梅"),
        ("koc", {"name": "张三"}, [], "亲爱的张三"),
    ],
)
def test_missing_fields_get_neutral_wording(
    make_drafter: MakeDrafter, playbook: str, fields: dict, missing: list, salutation: str
) -> None:
    result = make_drafter().message(MessageRequest(playbook=playbook, fields=fields))  # type: ignore[arg-type]
    assert result.fields_missing == missing
    assert result.drafts[0].text.startswith(salutation)
    assert bool(result.notes) is bool(missing)


def test_field_both_permitted_and_withheld_is_rejected(make_drafter: MakeDrafter) -> None:
    with language("en"), pytest.raises(InputError, match="both permitted and withheld"):
        make_drafter().message(
            MessageRequest(playbook="birthday", fields={"name": "王芳"}, withheld=["name"])
        )


def test_message_prompt_shows_fields_and_withheld_names_only(make_drafter: MakeDrafter) -> None:
    fake = FakeBackend(default={"suggestions": [{"text": "王芳您好 回复TD退订"}]})
    make_drafter(backend=fake).message(
        MessageRequest(
            playbook="birthday", fields={"name": "王芳"}, withheld=["city"], brief="8折券"
        )
    )
    user = fake.calls[0].user
    assert "name: 王芳" in user and "不得使用):city" in user


def test_warm_up_searches_and_judges_without_asking_the_model(
    make_drafter: MakeDrafter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a first draft loads is loaded (search, prompt, guardrails), but no model is asked:
    the backend raises when called, having nothing queued."""
    backend, retriever = FakeBackend(), FakeRetriever()
    judged: list[str] = []
    judge = guard.judge

    def counted(check, settings, now):  # type: ignore[no-untyped-def]
        judged.append(check.text)
        return judge(check, settings, now)

    monkeypatch.setattr(guard, "judge", counted)
    drafter = make_drafter(backend=backend, retriever=retriever)
    drafter.warm_up(MessageRequest(playbook="member_day", brief="会员日满199减20"))
    assert backend.calls == []
    assert [query for query, _ in retriever.queries] == ["会员日  会员日满199减20"]
    assert len(judged) == 1 and judged[0]
