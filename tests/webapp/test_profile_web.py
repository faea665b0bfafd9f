"""Correcting one's details (``/account/profile``): name and district change at once; a mobile number or
e-mail (a login) changes only with the current password, never to one another account uses; every change is
audited with the contacts masked."""

from __future__ import annotations

import re

from sqlalchemy import select

from carbon_credit.platform import audit
from carbon_credit.platform.database import read_session
from carbon_credit.residents import Resident

PASSWORD = "correct-horse-9"
ERROR = re.compile(r'data-testid="form-error">([^<]+)<')


def _me(engine, phone: str) -> Resident:
    with read_session(engine) as session:
        return session.execute(select(Resident).where(Resident.phone == phone)).scalar_one()


def _form(current: str, **changes) -> dict:
    fields = {"display_name": "小王", "district": "xiaonan", "phone": current, "email": "", "password": ""}
    return {**fields, **changes}


def test_the_form_shows_the_profile_as_it_is(client, register):
    phone = register(name="小王")
    page = client.get("/account/profile").get_data(as_text=True)
    assert "<title>修改我的资料 · " in page
    assert f'value="{phone}"' in page and 'value="小王"' in page
    assert '<option selected value="xiaonan">' in page


def test_name_and_district_change_without_the_password_and_are_audited(client, register, engine):
    phone = register(name="小王")
    saved = client.submit("/account/profile", _form(phone, display_name="王大明", district="anlu"))
    assert saved.status_code == 302 and saved.headers["Location"] == "/account"
    assert "资料已保存。" in client.get("/account").get_data(as_text=True)
    me = _me(engine, phone)
    assert me.display_name == "王大明"
    with read_session(engine) as session:
        [entry] = audit.entries(session=session, action="resident.profile").items
    assert entry.actor_id == entry.target_id == me.id
    assert entry.after["changed"] == ["display_name", "district_id"] and entry.after["district"] == "anlu"
    assert phone not in str(entry.before) + str(entry.after)  # contacts masked: 138****
    assert entry.after["phone"] == f"{phone[:3]}****{phone[-4:]}"


def test_a_new_mobile_number_needs_the_password_then_becomes_the_login(app, client, register, engine):
    phone = register()
    refused = client.submit("/account/profile", _form(phone, phone="13900001111"))
    assert (
        refused.status_code == 400
        and ERROR.search(refused.get_data(as_text=True)).group(1) == "当前密码不正确。"
    )
    assert _me(engine, phone).phone == phone
    saved = client.submit("/account/profile", _form(phone, phone="139 0000 1111", password=PASSWORD))
    assert saved.status_code == 302
    assert "下次请用新的手机号或邮箱登录" in client.get("/account").get_data(as_text=True)
    assert (
        app.test_client().submit("/login", {"login": "13900001111", "password": PASSWORD}).status_code == 302
    )
    assert app.test_client().submit("/login", {"login": phone, "password": PASSWORD}).status_code == 400


def test_an_email_can_be_added_and_both_contacts_sign_in(app, client, register, engine):
    phone = register()
    saved = client.submit("/account/profile", _form(phone, email="Wang@Example.ORG", password=PASSWORD))
    assert saved.status_code == 302
    assert _me(engine, phone).email == "wang@example.org"
    assert (
        app.test_client().submit("/login", {"login": "wang@example.org", "password": PASSWORD}).status_code
        == 302
    )


def test_a_contact_another_account_uses_is_refused_without_saying_whose(app, client, register, engine):
    other = register(login="13800009999")
    client.submit("/logout", form_page="/")
    phone = register()
    refused = client.submit("/account/profile", _form(phone, phone=other, password=PASSWORD))
    assert refused.status_code == 400
    said = ERROR.search(refused.get_data(as_text=True)).group(1)
    assert said == "这个手机号或邮箱不能用作您的登录账号，请换一个。" and other not in said
    assert _me(engine, phone).phone == phone and _me(engine, other).phone == other


def test_the_last_contact_cannot_be_removed_and_bad_input_is_explained(client, register, engine):
    phone = register()
    for changes, says in (
        ({"phone": "", "password": PASSWORD}, "请至少保留一个手机号或邮箱"),
        ({"phone": "12345", "password": PASSWORD}, None),
        ({"display_name": "   "}, None),
    ):
        response = client.submit("/account/profile", _form(phone, **changes))
        assert response.status_code == 400, changes
        if says:
            assert says in ERROR.search(response.get_data(as_text=True)).group(1)
    assert _me(engine, phone).phone == phone


def test_nothing_changed_says_so(client, register):
    phone = register(name="小王")
    saved = client.submit("/account/profile", _form(phone))
    assert saved.status_code == 302 and "没有任何修改。" in client.get("/account").get_data(as_text=True)
