from schema.export import SDL_PATH, sdl


def test_checked_in_sdl_is_current():
    assert SDL_PATH.read_text() == sdl(), "schema/schema.graphql is stale: run `make schema`"


def test_every_list_is_a_connection():
    text = sdl()
    for field in ("customers(", "sessions(", "events("):
        line = next(line for line in text.splitlines() if field in line)
        assert "Connection!" in line and "after: String" in line and "first: Int" in line
