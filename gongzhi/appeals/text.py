"""Text helpers for appeals: HTML refusal and similarity of two descriptions (jieba tokens)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_STOP = frozenset(
    "的 了 是 在 我 我们 你 您 他 她 它 和 与 及 也 都 就 还 又 很 请 请问 一下 一个 这个 那个 这里 那里 没有 有 "
    "已经 因为 所以 但是 如果 希望 反映 问题 情况 小区 附近 现在 时候 每天 经常 一直 非常 能否 能不能 可以".split()
)
_jieba_lock = threading.Lock()


def contains_html(text: str) -> bool:
    """Return whether the text contains markup (tags or entities); descriptions are plain text."""
    return bool(_HTML.search(text))


_loaded = None


def _jieba():  # type: ignore[no-untyped-def]
    """Return jieba with its dictionary loaded (once per process; quiet about it)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _jieba_lock:
        if _loaded is None:
            import jieba

            jieba.setLogLevel(60)
            jieba.initialize()
            _loaded = jieba
        return _loaded


@lru_cache(maxsize=2048)
def tokens(text: str) -> frozenset[str]:
    """Return the meaningful words of a text (jieba segmentation, stop words and punctuation dropped)."""
    words = _jieba().lcut(text)
    kept = set()
    for word in words:
        word = _PUNCT.sub("", word)
        if not word or word in _STOP:
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        kept.add(word.lower())
    return frozenset(kept)


def similarity(a: str, b: str) -> float:
    """Return the Jaccard similarity of two texts' word sets (0 to 1)."""
    left, right = tokens(a), tokens(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)
