"""OpenAI Batch API for large campaigns: export one request line per customer, import the answers.

Imported answers go through the same parsing, guardrails, result rows and audit events as
`run`; consent is checked again at import, and customers already done are skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from copilot.campaigns.campaign import Campaigns
from copilot.campaigns.outcomes import Outcome, drafted, undrafted
from copilot.campaigns.playbooks import PlaybookSpec
from copilot.drafting import Drafter, MessageRequest
from copilot.drafting.engine import Prepared
from copilot.drafting.message import plan_message
from copilot.errors import InputError
from copilot.llm.backend import Generation, Usage
from copilot.messages import msg

ENDPOINT = "/v1/chat/completions"


class BatchBridge:
    """Turns a campaign into Batch API input lines and batch output lines into results."""

    def __init__(
        self, campaigns: Campaigns, drafter: Drafter, model: str, temperature: float
    ) -> None:
        self.campaigns = campaigns
        self.drafter = drafter
        self.model = model
        self.temperature = temperature

    def _prepare(self, request: MessageRequest) -> Prepared:
        engine = self.drafter.engine
        return engine.prepare(plan_message(request, engine.options.language, engine.today()))

    def export(self, spec: PlaybookSpec, campaign_id: str, out: Path) -> int:
        """Write one request per customer still to do; returns the number of lines."""
        audience, done = self.campaigns.start(spec, campaign_id, resume=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with out.open("w", encoding="utf-8") as fh:
            for cid in audience:
                if cid in done:
                    continue
                request = self.campaigns.request(spec, cid)
                if not isinstance(request, MessageRequest):
                    continue  # excluded now; `import-batch` or `run --resume` records why
                chat = self._prepare(request).chat
                line = {
                    "custom_id": f"{campaign_id}:{cid}",
                    "method": "POST",
                    "url": ENDPOINT,
                    "body": {
                        "model": self.model,
                        "temperature": self.temperature,
                        "response_format": {"type": "json_object"},
                        "messages": [
                            {"role": role, "content": text} for role, text in chat.messages()
                        ],
                    },
                }
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                count += 1
        return count

    def _outcome(
        self, spec: PlaybookSpec, campaign_id: str, cid: str, line: dict[str, Any]
    ) -> Outcome:
        response = line.get("response") or {}
        if line.get("error") or response.get("status_code") != 200:
            reason = json.dumps(line.get("error") or response, ensure_ascii=False)[:500]
            return undrafted(campaign_id, cid, "error", {"reason": reason})
        request = self.campaigns.request(spec, cid)
        if not isinstance(request, MessageRequest):
            return undrafted(campaign_id, cid, "excluded", request)
        body = response.get("body") or {}
        content = body["choices"][0]["message"]["content"]
        usage = body.get("usage") or {}
        prepared = self._prepare(request)
        generation = self.drafter.engine.parse(prepared, content)
        generation = Generation(
            raw=generation.raw,
            data=generation.data,
            repaired=generation.repaired,
            usage=Usage(
                input_tokens=usage.get("prompt_tokens", 0),
                output_tokens=usage.get("completion_tokens", 0),
            ),
        )
        result = self.drafter.engine.finish(prepared, generation)
        return drafted(campaign_id, cid, result)

    def import_results(self, spec: PlaybookSpec, campaign_id: str, path: Path) -> dict[str, int]:
        """Store every answer of a batch output file; returns counts by status/verdict."""
        audience, done = self.campaigns.start(spec, campaign_id, resume=True)
        wanted = set(audience) - done
        counts: Counter[str] = Counter()
        with path.open(encoding="utf-8") as fh:
            for number, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    line = json.loads(text)
                    prefix, _, cid = str(line["custom_id"]).rpartition(":")
                    outcome = (
                        None
                        if prefix != campaign_id or cid not in wanted
                        else (self._outcome(spec, campaign_id, cid, line))
                    )
                except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
                    raise InputError(
                        msg("批量结果行无效", "invalid batch output line") + f": {exc!r}",
                        where=f"{path}:{number}",
                        hint=msg(
                            "传入 OpenAI Batch 的输出文件（output_file_id 下载的 JSONL）",
                            "pass the OpenAI Batch output file (the JSONL of its output_file_id)",
                        ),
                    ) from exc
                if outcome is None:
                    counts["skipped"] += 1
                    continue
                counts[self.campaigns.store(spec, outcome).label] += 1
                wanted.discard(cid)
        return dict(counts)
