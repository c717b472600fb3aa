from api.db.filters import all_of


def test_disjoint_clauses_merge_flat():
    assert all_of({"a": 1}, {}, {"b": {"$gt": 2}}) == {"a": 1, "b": {"$gt": 2}}


def test_clashing_clauses_go_under_and():
    assert all_of({"a": 1, "$or": [{"x": 1}]}, {"$or": [{"y": 2}]}, {"a": {"$ne": 3}}) == {
        "a": 1,
        "$or": [{"x": 1}],
        "$and": [{"$or": [{"y": 2}]}, {"a": {"$ne": 3}}],
    }
    assert all_of({"$and": [{"p": 1}]}, {"$and": [{"q": 2}]}) == {
        "$and": [{"p": 1}, {"$and": [{"q": 2}]}]
    }


def test_nothing_is_everything():
    assert all_of() == {} and all_of({}, {}) == {}
