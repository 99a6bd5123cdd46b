"""Top words and two-word phrases of feedback, Thai and English, worked by hand."""
from __future__ import annotations

import random
import time

import pytest

from cem.voice.themes import Term, top_terms
from cem.voice.words import words


def texts(terms):
    return [term.text for term in terms]


def by_text(terms):
    return {term.text: term for term in terms}


# ---------------------------------------------------------------- words

def test_top_word_from_the_middle_of_sentences():
    """คิว (queue) sits mid-sentence in every item, with no space around it,
    and is found in all three; the polite endings ค่ะ / ครับ are not words."""
    items = [(1, "ลูกค้ารอคิวนานมากที่สาขา"), (2, "วันนี้รอคิวนานเกินไปค่ะ"), (3, "ต้องรอคิวนานทุกครั้งครับ"),
             (4, "พนักงานสุภาพ")]
    found = by_text(top_terms(items))
    for word in ("คิว", "รอ", "นาน"):
        assert found[word].count == 3
        assert found[word].quotes == (1, 2, 3)
    assert found["สาขา"].count == 1 and found["สาขา"].quotes == (1,)
    assert found["พนักงาน"].quotes == (4,)
    assert texts(top_terms(items))[:3] == ["คิว", "นาน", "รอ"]  # ties by text


def test_stop_words_are_gone():
    """Thai function words, polite endings and English stop words are no terms."""
    found = texts(top_terms([(1, "ต้องรอคิวนานทุกครั้งครับ"), (2, "ใบแจ้งหนี้มาช้าค่ะ"),
                             (3, "The invoice was late and the staff were rude")], limit=100))
    for stop in ("ต้อง", "ครับ", "ค่ะ", "มา", "the", "was", "and", "were"):
        assert stop not in found
    for word in ("รอ", "คิว", "นาน", "ใบแจ้งหนี้", "ช้า", "invoice", "late", "staff", "rude"):
        assert word in found


def test_words_that_say_how_it_felt_stay():
    """ช้า (slow) and ผิด (wrong) are in PyThaiNLP's stop words but are the point of a complaint."""
    found = texts(top_terms([(1, "ส่งของช้า"), (2, "ใบแจ้งหนี้ผิด")]))
    assert "ช้า" in found and "ผิด" in found


def test_count_is_items_not_occurrences():
    """An item that says ช้า three times counts once."""
    found = by_text(top_terms([(1, "ช้า ช้า ช้ามาก"), (2, "ส่งของช้า"), (3, "ค่าบริการแพง แพงมาก แพง")]))
    assert found["ช้า"].count == 2
    assert found["แพง"].count == 1
    assert found["ช้า"].quotes == (1, 2)


def test_team_words_stay_whole():
    """A clinic's name cut by the dictionary into คลินิก หมอ แมว stays one word
    when it is the team's; so do names with spaces, hyphens, Latin letters."""
    items = [(1, "พาน้องแมวไปคลินิกหมอแมวบางนา"), (2, "คลินิกหมอแมวบางนาดีมาก")]
    plain = texts(top_terms(items, limit=100))
    assert "คลินิก" in plain and "หมอ" in plain and "คลินิกหมอแมว" not in plain
    found = by_text(top_terms(items, extra=["คลินิกหมอแมว"], limit=100))
    assert found["คลินิกหมอแมว"].count == 2
    assert "คลินิก" not in found and "หมอ" not in found
    assert found["แมว"].count == 1  # น้องแมว in item 1, not the clinic's name

    items = [(1, "ทักLINE  OAไม่มีคนตอบ"), (2, "ซื้อที่7-Elevenแล้วจ่ายผ่าน K PLUS ไม่ได้"), (3, "line oa ตอบช้า")]
    found = by_text(top_terms(items, extra=["LINE OA", "7-Eleven", "K PLUS"], limit=100))
    assert found["line oa"].count == 2  # any case, any spaces
    assert found["7-eleven"].count == 1
    assert found["k plus"].count == 1
    for part in ("line", "oa", "eleven", "plus"):
        assert part not in found


def test_team_words_match_whole_latin_words_only():
    """LINE OA is not found inside LINE OAK; a Thai name needs no spaces around it."""
    found = texts(top_terms([(1, "LINE OAK"), (2, "สาขาเซ็นทรัล ลาดพร้าวช้า")],
                            extra=["LINE OA", "เซ็นทรัล ลาดพร้าว"], limit=100))
    assert "line oa" not in found and "line" in found and "oak" in found
    assert "เซ็นทรัล ลาดพร้าว" in found


def test_a_team_word_that_is_a_stop_word_stays():
    """The team decides: its own word is counted even if it is a stop word."""
    assert "ที่" not in texts(top_terms([(1, "ที่สาขา")]))
    assert "ที่" in texts(top_terms([(1, "ที่สาขา")], extra=["ที่"]))


def test_thai_negation_joins_the_word_it_negates():
    """พนักงานไม่สุภาพ is about an impolite clerk: ไม่สุภาพ, not สุภาพ (polite)."""
    found = by_text(top_terms([(1, "พนักงานไม่สุภาพ"), (2, "พนักงานสุภาพ"), (3, "ไม่ได้รับใบแจ้งหนี้"),
                               (4, "ที่จอดรถไม่พอ"), (5, "บริการไม่ค่อยดี"), (6, "แย่มาก ไม่"),
                               (7, "อธิบายแล้วไม่เข้าใจ"), (8, "ไม่ๆ")], limit=100))
    assert found["สุภาพ"].quotes == (2,)
    assert found["ไม่สุภาพ"].quotes == (1,)
    assert found["ไม่ได้รับ"].quotes == (3,)
    assert found["ไม่พอ"].quotes == (4,)
    assert found["ไม่ค่อยดี"].quotes == (5,)
    assert found["ไม่เข้าใจ"].quotes == (7,)  # a word that begins with a leading vowel
    assert "ไม่" not in found and "ไม่ๆ" not in found  # alone at the end of its sentence, or before ๆ


def test_english_is_analysed():
    """Lower-cased, stop words out, apostrophes inside words dropped, punctuation split."""
    items = [(1, "The App keeps CRASHING!"), (2, "app crashing again... don't like it"), (3, "Love the new app")]
    found = by_text(top_terms(items, limit=100))
    assert found["app"].count == 3
    assert found["crashing"].quotes == (1, 2)
    assert "dont" not in found and "don" not in found and "t" not in found
    assert "the" not in found and "it" not in found
    assert set(found) == {"app", "crashing", "like", "love", "new", "keeps"}  # "again" is a stop word


def test_numbers_and_single_letters_are_no_words():
    assert texts(top_terms([(1, "รอ 3 ชั่วโมง"), (2, "wait 45 minutes at counter b"), (3, "๑๒๓ 2026")],
                           limit=100)) == sorted(["รอ", "ชั่วโมง", "wait", "minutes", "counter"])


def test_mixed_thai_and_english():
    found = texts(top_terms([(1, "แอปธนาคาร login ไม่ได้"), (2, "Login ช้ามาก")], limit=100))
    assert found[0] == "login"
    assert "ไม่ได้" in found and "ช้า" in found


# ---------------------------------------------------------------- quotes, order, limit

def test_quotes_are_capped_and_in_the_order_given():
    """Give the newest first: they are the ones quoted."""
    items = [(id_, "รอนาน") for id_ in (50, 40, 30, 20, 10)]
    term = by_text(top_terms(items))["รอ"]
    assert term == Term(text="รอ", count=5, quotes=(50, 40, 30))
    assert by_text(top_terms(items, quotes=1))["รอ"].quotes == (50,)
    assert by_text(top_terms(items, quotes=10))["รอ"].quotes == (50, 40, 30, 20, 10)
    assert by_text(top_terms(items, quotes=0))["รอ"].quotes == ()


def test_an_id_given_twice_is_quoted_once():
    term = by_text(top_terms([(7, "รอนาน"), (7, "รอนาน"), (8, "รอ")]))["รอ"]
    assert term.quotes == (7, 8)


def test_sorted_by_count_then_text_and_limited():
    items = [(1, "แพง ช้า"), (2, "ช้า"), (3, "ช้า ผิด"), (4, "ผิด แพง"), (5, "ดี")]
    result = top_terms(items)
    assert [(term.text, term.count) for term in result] == [("ช้า", 3), ("ผิด", 2), ("แพง", 2), ("ดี", 1)]
    assert texts(top_terms(items, limit=2)) == ["ช้า", "ผิด"]
    assert top_terms(items, limit=0) == []
    assert texts(top_terms(list(reversed(items)))) == texts(result)  # ties do not depend on the order given


def test_nothing_to_say():
    assert top_terms([]) == []
    assert top_terms([(1, ""), (2, "   "), (3, None), (4, "ครับ ค่ะ"), (5, "!!! 555 ...")]) == []
    with pytest.raises(ValueError):
        top_terms([], limit=-1)


def test_items_can_be_a_generator():
    assert texts(top_terms((id_, "ช้า") for id_ in range(3))) == ["ช้า"]


# ---------------------------------------------------------------- phrases

def test_phrase_skips_stop_words_between():
    """ใบแจ้งหนี้มาช้า: "ใบแจ้งหนี้ ช้า" (the invoice, late), without มา between."""
    items = [(1, "ใบแจ้งหนี้มาช้าค่ะ"), (2, "ได้ใบแจ้งหนี้ช้ากว่ากำหนด"), (3, "ใบแจ้งหนี้ผิด")]
    found = by_text(top_terms(items, phrases=True, limit=100))
    assert found["ใบแจ้งหนี้ ช้า"].quotes == (1, 2)
    assert found["ใบแจ้งหนี้ ผิด"].quotes == (3,)
    assert all(len(text.split(" ")) == 2 for text in found)
    assert "ใบแจ้งหนี้ มา" not in found and "มา ช้า" not in found


def test_phrases_do_not_cross_sentence_breaks():
    """No phrase joins the last word before a break to the first after it:
    new line, punctuation, a dash between spaces, a Thai space, ๚."""
    for separator in ["\n", "\r\n", ".", ",", "!", "?", ";", ":", "(", ")", '"', "/", "…", " - ", " – ", " ",
                      "  ", "\t", "๚", "😡", " \n "]:
        text = f"ส่งของช้า{separator}พนักงานไม่สุภาพ"
        found = texts(top_terms([(1, text)], phrases=True, limit=100))
        assert found == ["พนักงาน ไม่สุภาพ"], (separator, found)
    # English: a sentence break stops a phrase; a space does not
    found = texts(top_terms([(1, "Delivery late. Staff rude")], phrases=True))
    assert found == ["delivery late", "staff rude"]


def test_a_space_between_thai_and_english_is_no_break():
    found = texts(top_terms([(1, "แอป LINE ช้า")], phrases=True))
    assert "line ช้า" in found


def test_a_phrase_keeps_its_team_words_whole():
    found = texts(top_terms([(1, "ทัก LINE OA ไม่มีคนตอบ"), (2, "ทักLINE OAแล้วเงียบ")], extra=["LINE OA"],
                            phrases=True, limit=100))
    assert found[0] == "ทัก line oa"
    assert "line oa ไม่มี" in found


def test_phrases_count_items_and_skip_repeats():
    """A phrase said twice in an item counts once; the same word twice is no phrase."""
    found = by_text(top_terms([(1, "รอคิวนาน รอคิวนาน"), (2, "ช้าช้า"), (3, "รอคิว")], phrases=True, limit=100))
    assert found["รอ คิว"].count == 2
    assert "ช้า ช้า" not in found


def test_english_phrases_and_negations():
    """A negation may begin a phrase, never end one."""
    found = texts(top_terms([(1, "Staff was not very helpful, didn't receive the invoice"),
                             (2, "call-center slow")], phrases=True, limit=100))
    assert set(found) == {"not helpful", "didnt receive", "receive invoice", "call center", "center slow"}


def test_words_and_phrases_of_one_item_are_consistent():
    """Every word of a phrase is a word of the same items."""
    rng = random.Random(3)
    clauses = ["ใบแจ้งหนี้มาช้า", "พนักงานไม่สุภาพ", "รอคิวนาน", "ที่จอดรถไม่พอ", "แอปใช้งานยาก", "Staff rude"]
    items = [(index, " ".join(rng.sample(clauses, 3))) for index in range(40)]
    single = by_text(top_terms(items, limit=1000, quotes=1000))
    for phrase in top_terms(items, phrases=True, limit=1000, quotes=1000):
        for word in phrase.text.split(" "):
            assert set(phrase.quotes) <= set(single[word].quotes), phrase


# ---------------------------------------------------------------- speed

def thai_items(count, rng):
    clauses = ("ใบแจ้งหนี้มาช้ามาก ต้องโทรถามหลายครั้ง พนักงานไม่สุภาพ รอคิวนานเกินไป แอปใช้งานยาก สาขาลาดพร้าวบริการดีมาก "
               "ขอบคุณค่ะ ส่งของผิดที่อยู่ ติดต่อคอลเซ็นเตอร์ไม่ได้เลย ค่าบริการแพงกว่าที่แจ้ง เจ้าหน้าที่อธิบายเข้าใจง่าย "
               "ที่จอดรถไม่พอ เว็บไซต์ล่มบ่อย ได้รับสินค้าเร็วกว่าที่คิด ระบบชำระเงินผิดพลาด").split()
    items = []
    for index in range(count):
        text = ""
        while len(text) < 100:
            text += rng.choice(clauses) + rng.choice(["", " ", ", ", "\n"])
        items.append((index, text[:100]))
    return items


def best_of(runs, work):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def test_analysis_costs_little_more_than_cutting_words():
    """Most of the time goes to word cutting itself (`words`), once per item:
    finding sentences, terms and quotes adds well under half of it. (5,000
    items of 100 Thai characters: about 1 s on a 2-core machine.)"""
    items = thai_items(500, random.Random(5))
    extra = ["ลาดพร้าว", "LINE OA"]
    top_terms(items[:5], extra=extra)  # the dictionary with the team's words is built once

    def cut():
        for _, text in items:
            words(text, extra=extra)

    cutting = best_of(3, cut)
    analysing = best_of(3, lambda: top_terms(items, extra=extra, phrases=True))
    assert analysing < 1.5 * cutting + 0.05, (analysing, cutting)
