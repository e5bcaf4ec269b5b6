"""A transparent marketing scorer: weighted lexicon and regex features per sentence, then per post.

Weights and thresholds are constants tuned on the dev split of ``evals/marketing/``. Product
reviews mention prices without selling, so first-person past-tense cues (买了, 用了, 收到) score
against marketing. Posts are scored on their normalised text (`copilot.guardrails.normalize`:
９９, 9️⃣9️⃣, 九十九, 九块九, traditional characters and invisible characters all read alike);
sentence spans point back into the original.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from copilot.guardrails.normalize import normalize

# (feature name, weight per hit, max hits counted, regex). Positive: selling; negative: reviewing
# or reporting. Lexicon features count distinct hits so that dense ad copy adds up.
FEATURES: tuple[tuple[str, float, int, str], ...] = (
    (
        "price",
        1.6,
        1,
        r"[¥￥$]\s?\d|\d(?:\.\d+)?\s?(?:元|块|圆|rmb|yuan|r(?![a-z]))(?!素)|rmb\s?\d|"
        r"(?:只要|仅需|仅要|到手|秒杀|拼团|团购|福利)\s?\d|\d\s?包邮|到手价|券后|原价|特价|秒杀价|"
        r"价格|惊喜价|神价|福利价|宠粉价|专享价|秘密价|暗号价|内部价|内购价|团购价|团长价|粉丝价|"
        r"骨折价|白菜价|价格美丽|"
        r"(?:launch|sale|member|final|special|early[- ]bird) price|price drop",
    ),
    (
        "discount",
        2.0,
        1,
        r"\d(?:\.\d)?折|[一二三四五六七八九]折|满\d+减|立减|直降|打折|半价|买[一二\d]送|"
        r"half[- ]price|[¥$]\d+ off|(?:two|2) for (?:one|1)|clearance|cashback",
    ),
    (
        "discount_soft",
        1.2,
        1,
        r"优惠|折扣|包邮|赠品|福利|特惠|大促|活动价|会员价|第二件|送小样|赠小样|"
        r"free gift|with (?:every|your) (?:order|purchase)|members? (?:day|get|only)|exclusive|"
        r"voucher|deposit|group buy|refer a friend|redeem|(?:double|twice the) points|points double",
    ),
    ("coupon", 1.6, 1, r"券|红包|优惠码|coupon|promo code|use code|(?<!\d)\d{1,3}% off|discount"),
    (
        "call_to_buy",
        1.8,
        1,
        r"秒杀|抢购|下单|拍下|入手|加购|购物车|戳链接|点击链接|买它|囤货|冲鸭|快来|"
        r"私我|私信我?|私聊我?|私戳|戳我|滴滴我|找我(?:拿|买|订|下单)|加我|扣\s?1|接龙|扫码|二维码|"
        r"赶紧|速抢|去抢|拼团|开抢|进店|buy now|shop now|shop the|order now|add (?:it |the .{1,30})?to "
        r"(?:your )?cart|grab yours|get yours|get one free|buy one|tap to (?:claim|shop|buy|order)|"
        r"order (?:today|now)|claim (?:it|yours|your)|checkout|mini-program|stock up|"
        r"hold one for you|wishlist|join via",
    ),
    (
        "urgency",
        1.3,
        1,
        r"限时|仅限|限量|手慢无|售完即止|倒计时|仅剩|只剩|截止|最后一天|错过|今晚\d|"
        r"limited time|today only|ends (?:tonight|soon|today)|last chance|hurry|while stocks last|"
        r"while supplies last|until (?:\w+ )?midnight|this week only|(?<!\d)\d+ hours only|"
        r"only \d+ \w+ left|sold out|(?:going|selling) fast|before it expires|don't miss|"
        r"back in stock|limited stock",
    ),
    ("link", 1.5, 1, r"https?://|(?<![a-z])(?:t\.cn|tb\.cn|u\.jd\.com)|小程序|商城|店铺|直播间"),
    (
        "new_arrival",
        1.0,
        1,
        r"上新|新品|首发|预售|开售|现货|new arrival|launch|pre-?order|in stock",
    ),
    (
        "sale_en",
        1.4,
        1,
        # "off" and "save" only as money off ("take a layer off", "save it" are not). Unbounded
        # runs (\d+, \w*) start only where a run starts, so a long digit string stays linear.
        r"(?<![a-z])(?:sale|deals?|free shipping|bundle|save (?:[¥$]|\d|up to|big|on|more)|"
        r"off (?:everything|all|your|any|the (?:first|second|next|final))|"
        r"(?<!\w)[¥$\d]\w* off)(?![a-z])",
    ),
    (
        "ad_copy",
        0.6,
        4,
        r"这款|此款|该款|单品|设计|采用|打造|彰显|尽显|凸显|百搭|显瘦|修饰|时尚|气质|"
        r"质感|版型|面料|上身|亮点|个性|精致|优雅|推荐|必备|种草|安利|闭眼入|回购|好物|宝藏|口碑|颜值|"
        r"送礼|贴心|亲肤|透气|柔软|温和|安心|省心|小巧|可爱|精选|造型|搭配|款式|风格|简约|经典|甜美|"
        r"休闲|穿搭|利落|立体|剪裁|线条|腰身|廓形|复古|文艺|层次|俏皮|清新|舒适|显得|衬托|营造|兼备|"
        r"都爱用|都合适|不占地方|轻松|体验",
    ),
    (
        # English brand voice: product benefits, claims and social proof. One phrase alone is
        # weak (a tip may say "soft brush"); two make a seeding sentence.
        "ad_copy_en",
        0.8,
        4,
        r"(?<![a-z])(?:soft|gentle|cosy|cozy|breathable|plush|premium|lightweight|organic|"
        r"[a-z]+-(?:free|proof)|wipe-clean|dishwasher|easy to|so you (?:can|'ll)|you'll love|"
        r"feel good|rave|swear by|coming back|best-?(?:loved|sell\w*)|favourite|must-have|"
        r"perfect for|designed|crafted|made (?:from|for|to|with)|upgrade|say goodbye|beautifully|"
        r"thoughtful|gift|our (?:best|favourite|honest )?pick|meet (?:the|our)|introducing|"
        r"twice as|sized for|grow with|loved by|trusted by|made easy|got easier|easier than ever)"
        r"(?![a-z])",
    ),
    (
        "review",
        -1.6,
        2,
        r"买了|用了|收到|到货|发货|物流|快递|卖家|客服|差评|好评|退货|退款|失望|垃圾|"
        r"一般般|还行|不值|上当|后悔|第一次买|买的|质量(?:还|很|太|挺|不|好|差)|没有过敏|继续观察|"
        r"(?<![a-z])(?:i|we)(?:'ve)? (?:bought|ordered|returned|used|tried|got)|arrived|"
        r"received (?:it|my)|returned it|honest review|anyone else|"
        r"(?<![a-z])my (?:son|daughter|twins|baby|kids?)",
    ),
    (
        "report",
        -1.0,
        1,
        r"记者|报道|消息|官方|宣布|球队|比赛|政府|专家|研究|发布会|警方|网友|曝光|"
        # a question closing a Chinese headline; English hooks ("Looking for a gift?") are not
        r"[\u4e00-\u9fff][？?]$|？$",
    ),
    (
        "tips",
        -0.8,
        1,
        r"小贴士|小知识|干货|注意|建议|方法|步骤|技巧|怎么|如何|为什么|原因|误区|"
        r"tips?(?![a-z])|how to|step",
    ),
)
# Patterns are lowercase and match the lowercased sentence: three times faster than IGNORECASE.
_COMPILED = tuple((name, weight, cap, re.compile(rx)) for name, weight, cap, rx in FEATURES)
# A sentence counts as marketing from this raw score; a post from this probability.
SENTENCE_THRESHOLD = 1.5
POST_THRESHOLD = 0.5
# Post probability = 1 - exp(-max(0, total)/POST_SCALE): a raw total of ~1.6 is 50/50.
POST_SCALE = 2.3
# Sentence boundaries: Chinese/English terminal punctuation and line breaks.
_SENTENCE = re.compile(r"[^。！？!?\n;；]+[。！？!?;；]*|[。！？!?;；]+")


@dataclass(frozen=True, slots=True)
class SentenceScore:
    start: int
    end: int
    text: str
    score: float
    features: tuple[str, ...]

    @property
    def is_marketing(self) -> bool:
        return self.score >= SENTENCE_THRESHOLD


@dataclass(frozen=True, slots=True)
class PostScore:
    score: float
    is_marketing: bool
    sentences: tuple[SentenceScore, ...]

    @property
    def sentence_share(self) -> float:
        if not self.sentences:
            return 0.0
        return sum(s.is_marketing for s in self.sentences) / len(self.sentences)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank sentences of `text`."""
    spans = []
    for match in _SENTENCE.finditer(text):
        if match.group().strip():
            spans.append(match.span())
    return spans


def score_sentence(text: str, start: int = 0) -> SentenceScore:
    """Raw score of one sentence: each feature counted once, weights summed."""
    score, fired, lowered = 0.0, [], text.lower()
    for name, weight, cap, rx in _COMPILED:
        hits = len(set(rx.findall(lowered))) if cap > 1 else int(rx.search(lowered) is not None)
        if hits:
            score += weight * min(hits, cap)
            fired.append(name)
    return SentenceScore(start, start + len(text), text, round(score, 3), tuple(fired))


@lru_cache(maxsize=1024)
def score_post(text: str) -> PostScore:
    """Sentence scores (spans in `text`) and the post's marketing probability, read on the
    normalised text (cached: history posts repeat)."""
    norm = normalize(text)
    sentences = []
    for start, end in split_sentences(norm.text):
        scored = score_sentence(norm.text[start:end])
        first, last = norm.to_original(start, end)
        sentences.append(
            SentenceScore(first, last, text[first:last], scored.score, scored.features)
        )
    total = sum(s.score for s in sentences)
    probability = 1.0 - math.exp(-max(0.0, total) / POST_SCALE)
    return PostScore(round(probability, 3), probability >= POST_THRESHOLD, tuple(sentences))
