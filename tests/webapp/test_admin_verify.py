"""Verifying a voucher at the counter, on a phone: one large code field that opens ready to type, one big
button, and the outcome in large words: hand it over, already used (when and by whom), or an unknown code."""

from __future__ import annotations

import re

import pytest

from carbon_credit import ledger, rewards
from carbon_credit.platform.database import session_scope
from carbon_credit.rewards import Reward
from tests.webapp.conftest import PASSWORD

SHOP = "shop@example.org"


@pytest.fixture
def voucher(engine, settings, make_resident) -> str:
    """A merchant (signed in later as SHOP, named 槐荫便利店), their reward, and a resident's voucher code."""
    shop = make_resident(role="merchant", email=SHOP, password=PASSWORD, display_name="槐荫便利店")
    resident = make_resident()
    with session_scope(engine) as session:
        reward = Reward(
            name_zh="孝感公交乘车券", name_en="Xiaogan bus ride voucher", cost=500, stock=5, merchant_id=shop
        )
        session.add(reward)
        session.flush()
        account = ledger.account_id_for(session=session, resident_id=resident)
        ledger.post(session=session, posting=ledger.Posting(account, 600, "earn", "verify-seed"))
        issued = rewards.redeem(
            session=session, settings=settings, resident_id=resident, reward_id=reward.id, idempotency_key="v"
        )
        return issued.code


@pytest.fixture
def counter(client, login, voucher):
    login(SHOP)
    return client


def _visible(page: str) -> str:
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_code_field_opens_ready_for_a_thumb(counter):
    page = counter.get("/verify").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    for attribute in ('inputmode="text"', 'autocapitalize="characters"', "autofocus", 'autocomplete="off"'):
        assert attribute in field, attribute
    assert 'class="verify-code"' in field and 'data-testid="mark-used"' in page
    assert 'class="verify-button"' in page


def test_a_good_code_says_hand_it_over_in_big_words(counter, voucher):
    typed = f"{voucher[:4].lower()} {voucher[4:8]}-{voucher[8:]}"
    used = counter.submit("/verify", {"code": typed})
    page = used.get_data(as_text=True)
    assert used.status_code == 200
    result = page.split('data-testid="verified"')[1].split("</section>")[0]
    assert "verify-ok" in page and "有效：请兑付奖品" in result and "孝感公交乘车券" in result
    assert re.search(r"核销成功：孝感公交乘车券，时间 \d{4}-\d\d-\d\d \d\d:\d\d。", result)
    assert 'name="code"' in page  # ready for the next voucher


def test_a_used_code_says_when_and_by_whom(counter, voucher):
    first = counter.submit("/verify", {"code": voucher}).get_data(as_text=True)
    when = re.search(r"时间 (\d{4}-\d\d-\d\d \d\d:\d\d)。", first).group(1)
    again = counter.submit("/verify", {"code": voucher})
    page = again.get_data(as_text=True)
    assert again.status_code == 400
    result = page.split('data-testid="form-error"')[1].split("</section>")[0]
    assert 'data-result="voucher_already_used"' in page and "verify-refused" in page
    assert "已核销过：请勿兑付" in result and when in result and "核销人：槐荫便利店" in result
    assert "这张券是您本人核销的" in result


def test_an_unknown_code_is_said_plainly(counter):
    missing = counter.submit("/verify", {"code": "NOPE NOPE NOPE NOPE"})
    text = _visible(missing.get_data(as_text=True))
    assert missing.status_code == 400
    assert "券码不存在" in text and "未找到该兑换券" in text and "NOPE NOPE NOPE NOPE" in text
    assert not re.search(r"\+\d\d:\d\d|voucher_not_found", text)
