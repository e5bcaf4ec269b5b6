"""WeChat Customer Service connector: callback → suggestion ready in the queue, template mode.

    python -m benchmarks.wecom [--runs 100]

A loopback WeCom API (gettoken, kf/sync_msg, kf/send_msg) and the real callback route on a
uvicorn server; each run a customer writes one message (the FAQ questions of knowledge/faq.csv,
reworded slightly), a callback encrypted and signed with wechatpy is POSTed, and the clock stops
when the item's suggestions are stored in the queue. Everything else is the product path: the
application object's connector, its template drafter (模板模式) on the bundled demo knowledge
base ingested into a temporary SIYU_HOME, the audit log with PII redaction.

Target: p95 ≤ 1 s. The peer is the same drafter called in process on the same messages, so the
ratio is what the connector adds (callback, decryption, sync, queue, audit, worker hand-off).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads; steadier on 2 cores

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="callbacks measured")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="siyu-bench-wecom-"))
    os.environ["SIYU_HOME"] = str(home)
    os.environ.pop("SIYU_LLM_BASE_URL", None)

    import httpx

    from benchmarks.drafting import messages, pct, report, timed
    from copilot.app import Copilot
    from copilot.config import get_settings
    from copilot.drafting import ReplyRequest
    from copilot.wecom import callback_router
    from tests.integration.wecom_fake import CORP_ID, SECRET, Signer, fake_wecom, serve

    token, aes_key = "benchToken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    texts = messages(args.runs + 10)
    warm, measured = texts[:10], texts[10:]
    with fake_wecom() as (api, wecom):
        os.environ.update(
            {
                "SIYU_WECOM_CORP_ID": CORP_ID,
                "SIYU_WECOM_SECRET": SECRET,
                "SIYU_WECOM_TOKEN": token,
                "SIYU_WECOM_AES_KEY": aes_key,
                "SIYU_WECOM_API_BASE": api,
            }
        )
        get_settings.cache_clear()
        app = Copilot(get_settings())
        started = time.perf_counter()
        app.ingestor.ingest([REPO / "knowledge"])
        print(f"ingest demo knowledge base: {time.perf_counter() - started:.1f} s ({home})")
        assert app.drafter.engine.backend.is_template, "template mode expected"
        for text in warm:  # load the embedder, keyword index and tokenizer once
            app.drafter.reply(ReplyRequest(message=text))
        from fastapi import FastAPI

        web = FastAPI()
        web.include_router(callback_router(app.wecom))
        signer = Signer(token, aes_key)
        with serve(web) as url, httpx.Client(base_url=url) as http:
            count = 0

            def callback_to_suggestion(text: str) -> None:
                nonlocal count
                count += 1
                wecom.customer_says(f"bench-{count}", text)
                params, body = signer.callback(signer.kf_event(), str(int(time.time())))
                answer = http.post("/wecom/kf/callback", params=params, content=body)
                assert answer.status_code == 200, answer.text
                while True:
                    item = app.wecom.queue.get(count)  # one item per message, ids in order
                    if item.status == "drafted":
                        return
                    assert not item.last_error, item.last_error
                    time.sleep(0.002)

            for text in warm[:3]:
                callback_to_suggestion(text)
            print("\n== per customer message, demo knowledge base, template mode ==")
            connector = timed(measured, callback_to_suggestion)
            direct = timed(measured, lambda t: app.drafter.reply(ReplyRequest(message=t)))
        app.wecom.close()
    report("callback → suggestion ready in the queue", connector, TARGET_MS)
    report("peer: the same drafter in process", direct)
    ratio = pct(connector, 0.95) / pct(direct, 0.95)
    print(f"p95 ratio connector / in-process drafter: {ratio:.2f}x")
    assert len(wecom.delivered) == 0, "nothing may be sent without approval"


if __name__ == "__main__":
    main()
