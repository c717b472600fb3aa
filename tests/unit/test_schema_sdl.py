from schema.export import SDL_PATH, sdl


def test_checked_in_sdl_is_current():
    assert SDL_PATH.read_text() == sdl(), "schema/schema.graphql is stale: run `make schema`"


def test_every_list_is_a_connection():
    text = sdl()
    # Customer.sessions may be null: a refused argument then nulls it alone,
    # not the customer around it (docs/api.md).
    for field, kind in (
        ("customers(", "CustomerConnection!"),
        ("sessions(", "SessionConnection"),
        ("events(", "EventConnection!"),
    ):
        line = next(line for line in text.splitlines() if field in line)
        assert line.endswith(f": {kind}") and "after: String" in line and "first: Int" in line
