"""Property: for any positive distance within bounds, grams == round-half-up(km × factor), never negative."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from quantification import quantify

# mode -> (factor g/km from methodologies.md, per-leg bound km)
MODES = {
    "bus": ("26.9", "150"),
    "metro": ("46.7", "120"),
    "shared_bike": ("40", "50"),
    "nev_car": ("7", "600"),
}


@st.composite
def legs(draw):
    mode = draw(st.sampled_from(sorted(MODES)))
    places = draw(st.integers(min_value=0, max_value=6))
    km = draw(
        st.decimals(
            min_value=Decimal(1).scaleb(-places),
            max_value=Decimal(MODES[mode][1]),
            places=places,
            allow_nan=False,
            allow_infinity=False,
        )
    )
    return mode, km


@settings(max_examples=300, database=None, deadline=None)
@given(legs())
def test_grams_is_km_times_factor_rounded_half_up(leg):
    mode, km = leg
    result = quantify("transit", mode=mode, km=km)
    expected = (km * Decimal(MODES[mode][0])).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert result.grams == int(expected)
    assert result.grams >= 0


@settings(max_examples=100, database=None, deadline=None)
@given(st.lists(legs(), min_size=1, max_size=6))
def test_multi_leg_is_the_rounded_sum(trip):
    result = quantify("transit", legs=[{"mode": mode, "km": km} for mode, km in trip])
    total = sum((km * Decimal(MODES[mode][0]) for mode, km in trip), Decimal(0))
    assert result.grams == int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP)) >= 0
