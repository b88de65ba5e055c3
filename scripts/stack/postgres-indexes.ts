import type { Client } from 'pg';

/**
 * FerretDB 1.x pushes a top-level equality filter down as `_jsonb -> 'field' @> value`,
 * but the indexes it creates (for `_id` and for every createIndexes call) are btree
 * indexes on `_jsonb -> 'field'`, which cannot answer `@>`: every query scans its
 * table. For each such btree index this adds a GIN (jsonb_path_ops) index on the same
 * expression, which can — through an event trigger, so indexes FerretDB creates later
 * get their companion too, and a backfill for those that exist. With custom plans
 * (plan_cache_mode, set on the server) the planner sees the field name and uses it:
 * findOne by `_id` at 100K documents went from 44 ms to 1.3 ms.
 */
const SQL = String.raw`
CREATE OR REPLACE FUNCTION b2b_equality_index_name(btree_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(btree_name, 59) || '_gin' $$;

CREATE OR REPLACE FUNCTION b2b_add_equality_index(btree oid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  def text;
  expr text;
  tbl regclass;
  schema_name text;
  index_name text;
BEGIN
  SELECT pg_get_indexdef(i.indexrelid), i.indrelid::regclass, n.nspname, c.relname
    INTO def, tbl, schema_name, index_name
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE i.indexrelid = btree;
  -- Only single top-level field btree indexes on the document column (FerretDB's own shape;
  -- dotted paths are not pushed down by FerretDB, so an index would not help them).
  expr := substring(def FROM 'USING btree \(\((\(_jsonb -> ''[^'']*''::text\))\)\)$');
  IF expr IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s jsonb_path_ops)', b2b_equality_index_name(index_name), tbl, expr);
END $$;

CREATE OR REPLACE FUNCTION b2b_on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    PERFORM b2b_add_equality_index(cmd.objid);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION b2b_on_drop_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  obj record;
BEGIN
  FOR obj IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects() WHERE object_type = 'index' AND object_name NOT LIKE '%\_gin' LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', obj.schema_name, b2b_equality_index_name(obj.object_name));
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS b2b_on_create_index;
CREATE EVENT TRIGGER b2b_on_create_index ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION b2b_on_create_index();
DROP EVENT TRIGGER IF EXISTS b2b_on_drop_index;
CREATE EVENT TRIGGER b2b_on_drop_index ON sql_drop WHEN TAG IN ('DROP INDEX') EXECUTE FUNCTION b2b_on_drop_index();

SELECT b2b_add_equality_index(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');
`;

/** Installs (idempotently) the equality indexes in the database FerretDB uses. */
export async function installEqualityIndexes(client: Client): Promise<void> {
  await client.query(SQL);
}
