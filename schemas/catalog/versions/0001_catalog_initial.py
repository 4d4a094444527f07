"""catalog: categories (tree), products with full-text search, images, availability

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE catalog.categories (
        id          uuid PRIMARY KEY,
        parent_id   uuid REFERENCES catalog.categories (id) ON DELETE RESTRICT,
        slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        description text NOT NULL DEFAULT '',
        position    integer NOT NULL DEFAULT 0,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (parent_id IS DISTINCT FROM id)
    );
    CREATE INDEX categories_parent_idx ON catalog.categories (parent_id);

    CREATE TABLE catalog.products (
        id          uuid PRIMARY KEY,
        sku         text NOT NULL UNIQUE CHECK (sku ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'),
        slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '',
        price_minor bigint NOT NULL CHECK (price_minor >= 0),
        currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        category_id uuid REFERENCES catalog.categories (id) ON DELETE RESTRICT,
        attributes  jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
        active      boolean NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        -- Name and SKU weigh most, then attribute values (brand, colour...), then the description.
        search      tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english'::regconfig, name), 'A')
                     || setweight(to_tsvector('simple'::regconfig, sku), 'A')
                     || setweight(jsonb_to_tsvector('english'::regconfig, attributes, '["string"]'), 'C')
                     || setweight(to_tsvector('english'::regconfig, description), 'D')
                    ) STORED
    );
    CREATE INDEX products_search_idx ON catalog.products USING gin (search);
    CREATE INDEX products_category_idx ON catalog.products (category_id) WHERE active;
    CREATE INDEX products_price_idx ON catalog.products (price_minor, id) WHERE active;
    CREATE INDEX products_newest_idx ON catalog.products (created_at DESC, id DESC) WHERE active;
    CREATE INDEX products_name_idx ON catalog.products (name, id) WHERE active;

    CREATE TABLE catalog.product_images (
        product_id  uuid NOT NULL REFERENCES catalog.products (id) ON DELETE CASCADE,
        position    integer NOT NULL CHECK (position >= 0),
        url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
        alt         text NOT NULL DEFAULT '',
        PRIMARY KEY (product_id, position)
    );

    -- A local copy of inventory's answer "can this SKU be bought now?", fed by its events.
    CREATE TABLE catalog.availability (
        sku         text PRIMARY KEY,
        in_stock    boolean NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
    );
    """)
