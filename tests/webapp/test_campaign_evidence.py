"""The public campaign page reports CO2e by evidence level: only verified and evidenced reductions count
toward the reportable total, declared ones are shown apart."""

from __future__ import annotations

import re

import pytest

from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.platform.database import session_scope


@pytest.fixture
def campaign_id(make_campaign):
    """A campaign running now (bonus 5 per activity)."""
    return make_campaign()


def walk(engine, settings, resident: int, steps: str, channel: str, key: str):
    item = ActivityInput(resident, "walking", {"steps": steps}, channel, key)
    with session_scope(engine) as session:
        return record_activity(session=session, settings=settings, item=item)


def evidence_table(html: str) -> str:
    return html.split('data-testid="by-evidence"')[1].split("</table>")[0]


def test_the_campaign_page_shows_the_reportable_total_and_co2e_by_evidence_level(
    client, engine, settings, make_resident, campaign_id
):
    resident = make_resident()
    verified = walk(engine, settings, resident, "5000", "import", "operator-1")  # 100 g, verified
    declared = walk(engine, settings, resident, "3000", "web", "typed-1")  # 60 g, the resident's word
    assert (verified.evidence, declared.evidence) == ("verified", "declared")
    assert verified.campaign_id == declared.campaign_id == campaign_id
    html = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert re.search(r'data-testid="total-co2">160 克<', html)
    assert re.search(r'data-testid="total-reportable">100 克<', html)
    assert "可申报的减排量（已核验和有凭证）" in html and "按凭证等级" in html
    table = evidence_table(html)
    assert re.search(r"<td>已核验</td><td>1</td><td>100 克</td>", table)
    assert re.search(r"<td>本人申报</td><td>1</td><td>60 克</td>", table)
    assert "有凭证" not in table  # no evidenced activity yet: no line


def test_a_campaign_without_activities_reports_nothing_yet(client, campaign_id):
    html = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert re.search(r'data-testid="total-reportable">0 克<', html)
    assert "暂无数据" in evidence_table(html)


def test_the_evidence_levels_speak_english_when_asked(client, engine, settings, make_resident, campaign_id):
    walk(engine, settings, make_resident(), "5000", "import", "operator-1")
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    html = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "CO2e reportable (verified and evidenced)" in html and "By evidence level" in html
    assert re.search(r"<td>Verified</td><td>1</td><td>100 g</td>", evidence_table(html))
