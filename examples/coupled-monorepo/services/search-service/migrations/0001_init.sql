-- search-service schema: a denormalised index built from events.
CREATE TABLE search_documents (
    doc_id      UUID PRIMARY KEY,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    indexed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX search_documents_kind_idx ON search_documents (kind);
