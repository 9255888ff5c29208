import json

from pb.web.charts import bars, outline_path


def test_bars_scale_to_the_largest_share():
    result = bars([("a", 0.5), ("b", 0.25), ("c", 0.0)], width=300)
    assert [b.width for b in result] == [300, 150, 0]
    assert [b.y for b in result] == [0, 44, 88]


def test_outline_fits_the_box_and_keeps_its_shape():
    square = {"type": "Polygon", "coordinates": [[[0, 51], [0.02, 51], [0.02, 51.01], [0, 51.01], [0, 51]]]}
    path = outline_path(json.dumps(square), size=300)
    numbers = [float(n) for n in path.replace("M", " ").replace("L", " ").replace("Z", " ").split()]
    xs, ys = numbers[0::2], numbers[1::2]
    assert min(xs) == 5 and min(ys) == 5 and max(max(xs), max(ys)) == 295
    # 0.02 degrees of longitude at 51N is about 1.26 times 0.01 of latitude
    assert 1.2 < (max(xs) - min(xs)) / (max(ys) - min(ys)) < 1.3
    assert outline_path(None) is None


def test_money_shows_pence_only_when_there_are_pence(app):
    from decimal import Decimal
    from fractions import Fraction

    from pb.web.helpers import money

    with app.test_request_context("/?lang=en"):
        assert money(31000) == "£31,000"
        assert money(Decimal("31000.00")) == "£31,000"
        assert money(Fraction(1001, 2)) == "£500.50"
