from api.customers.search import customer_terms, query_words, search_filter, sort_name


def test_terms_are_ascii_casefolded_words_email_and_id():
    terms = customer_terms("José Jean-Luc Ünal", "Jose.L+Shop@Example.com", "ID-42")
    assert {"jose", "jean-luc", "jean", "luc", "unal"} <= set(terms)
    assert {"jose.l+shop@example.com", "jose.l+shop", "id-42"} <= set(terms)


def test_non_latin_names_are_transliterated():
    assert "ivan" in customer_terms("Иван", None, "x")


def test_query_words_are_deduplicated_and_bounded():
    assert query_words("  Anna  anna ÄNNA ") == ["anna"]
    assert len(query_words(" ".join(f"w{i}" for i in range(50)))) == 8
    assert len(query_words("x" * 500)[0]) == 100


def test_filter_escapes_the_user_text():
    assert search_filter(".*") == {"searchTerms": {"$regex": "^\\.\\*"}}
    assert search_filter("") == {}
    both = search_filter("a b")
    assert both == {
        "searchTerms": {"$regex": "^a"},
        "$and": [{"searchTerms": {"$regex": "^b"}}],
    }


def test_sort_name_ignores_case_and_accents():
    assert sort_name("Émile  Zola") == sort_name("emile zola") == "emile zola"
