"""Catalog rules, without any I/O."""

import uuid

import pytest

from functions.catalog import model
from functions.catalog.model import CategoryNode


def node(parent=None, slug="c"):
    return CategoryNode(uuid.uuid4(), parent, slug, slug.title())


class TestSlugs:
    def test_slug_is_lowercase_ascii_words_joined_by_hyphens(self):
        assert model.slugify("  Crème Brûlée Torch — 2-in-1! ") == "creme-brulee-torch-2-in-1"

    def test_slug_of_only_symbols_is_still_a_valid_slug(self):
        assert model.slugify("!!!") == "item"

    def test_slug_is_capped_without_a_trailing_hyphen(self):
        slug = model.slugify("word " * 40)
        assert len(slug) <= model.MAX_SLUG_LENGTH and not slug.endswith("-")

    def test_taken_slug_gets_the_next_free_number(self):
        assert model.next_free_slug("mug", ["mug", "mug-2", "mug-3"]) == "mug-4"
        assert model.next_free_slug("mug", ["other"]) == "mug"


class TestSearchTerms:
    def test_every_word_must_match_as_a_prefix(self):
        assert model.search_terms("Wireless Head") == "wireless:* & head:*"

    def test_tsquery_syntax_in_the_query_is_dropped(self):
        assert model.search_terms("a & b | !c:* (d)") == "a:* & b:* & c:* & d:*"

    def test_a_query_without_words_searches_nothing(self):
        assert model.search_terms(" !! -- ") is None

    def test_terms_are_capped(self):
        assert model.search_terms("w " * 50).count(":*") == model.MAX_SEARCH_TERMS


class TestCategoryTree:
    def setup_method(self):
        self.root = node(slug="electronics")
        self.child = node(self.root.id, "audio")
        self.grandchild = node(self.child.id, "headphones")
        self.other = node(slug="books")
        self.nodes = [self.root, self.child, self.grandchild, self.other]
        self.by_id = {n.id: n for n in self.nodes}

    def test_descendants_include_the_root_and_everything_below(self):
        assert model.descendants(self.nodes, self.root.id) == {
            self.root.id, self.child.id, self.grandchild.id}

    def test_ancestors_run_from_the_root_down(self):
        assert [n.slug for n in model.ancestors(self.by_id, self.grandchild.id)] == [
            "electronics", "audio", "headphones"]

    def test_moving_a_category_below_its_descendant_is_a_cycle(self):
        assert model.would_cycle(self.by_id, self.root.id, self.grandchild.id)
        assert model.would_cycle(self.by_id, self.root.id, self.root.id)
        assert not model.would_cycle(self.by_id, self.grandchild.id, self.other.id)

    def test_counts_roll_up_to_every_ancestor(self):
        counts = model.rollup_counts(self.nodes, {self.grandchild.id: 3, self.child.id: 1})
        assert counts == {self.root.id: 4, self.child.id: 4, self.grandchild.id: 3}

    def test_tree_nests_children_in_position_order(self):
        rows = [{"id": n.id, "parent_id": n.parent_id, "name": n.name, "position": p}
                for n, p in [(self.root, 1), (self.child, 0), (self.grandchild, 0), (self.other, 0)]]
        tree = model.build_tree(rows)
        assert [t["id"] for t in tree] == [self.other.id, self.root.id]
        assert tree[1]["children"][0]["children"][0]["id"] == self.grandchild.id


class TestCursors:
    def test_a_cursor_round_trips(self):
        last = uuid.uuid4()
        cursor = model.encode_cursor("price", 1999, last)
        assert model.decode_cursor(cursor, "price") == (1999, last)

    def test_a_cursor_made_for_another_sort_is_refused(self):
        cursor = model.encode_cursor("price", 1999, uuid.uuid4())
        with pytest.raises(model.BadCursor, match="sort 'price'"):
            model.decode_cursor(cursor, "name")

    @pytest.mark.parametrize("garbage", ["!!!", "bm90IGpzb24", "WzEsMl0", "WyJwcmljZSIsMSwibm8iXQ"])
    def test_garbage_is_not_a_cursor(self, garbage):
        with pytest.raises(model.BadCursor):
            model.decode_cursor(garbage, "price")

    @pytest.mark.parametrize("sort, key", [
        ("newest", "0001-01-01T00:00:00+14:00"),  # the year 0 in UTC: no driver can send it
        ("newest", "2026-01-01T00:00:00"),  # no offset: not a time this API wrote
        ("newest", "not a time"),
        ("price", 2**63), ("price", "12"), ("price", True), ("price", 1.5),
        ("relevance", float("inf")), ("relevance", "0.5"),
        ("name", "a\x00b"), ("name", 7),
    ])
    def test_a_key_this_api_could_not_have_written_is_refused(self, sort, key):
        with pytest.raises(model.BadCursor):
            model.decode_cursor(model.encode_cursor(sort, key, uuid.uuid4()), sort)

    def test_a_newest_key_comes_back_as_a_utc_time(self):
        key, _ = model.decode_cursor(
            model.encode_cursor("newest", "2026-12-03T10:00:00+02:00", uuid.uuid4()), "newest")
        assert key.isoformat() == "2026-12-03T08:00:00+00:00"


class TestCatalogRules:
    def test_only_admins_see_inactive_products(self):
        assert model.sees_inactive("admin") is True
        assert model.sees_inactive("customer") is False
        assert model.sees_inactive(None) is False

    def test_a_deactivated_category_hides_everything_below_it_from_all_but_admins(self):
        root, other = node(slug="root"), node(slug="other")
        hidden = CategoryNode(uuid.uuid4(), root.id, "hidden", "Hidden", active=False)
        below = node(hidden.id, "below")
        nodes = {n.id: n for n in (root, other, hidden, below)}
        assert set(model.shown_categories(nodes, "customer")) == {root.id, other.id}
        assert set(model.shown_categories(nodes, None)) == {root.id, other.id}
        assert model.shown_categories(nodes, "admin") == nodes

    def test_a_category_with_products_or_children_cannot_be_deleted(self):
        from functions.runtime.exceptions import Conflict

        with pytest.raises(Conflict, match="products"):
            model.check_deletable(has_products=True, has_subcategories=False)
        with pytest.raises(Conflict, match="subcategories"):
            model.check_deletable(has_products=False, has_subcategories=True)
        model.check_deletable(has_products=False, has_subcategories=False)
