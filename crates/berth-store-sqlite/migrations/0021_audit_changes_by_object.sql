-- The audit log's field changes, one row per object an operation changed (issue 10).
--
-- Migration 0012 stored one row per changed field: a subscription's creation wrote about
-- 92 rows (and 92 entries in each of two indexes) beside the subscription's own 20, the
-- largest part of a creation after the subscription itself. The same changes are now one
-- row per run of consecutive changes to the same object (a creation: one row), the fields
-- in order as a JSON array of `[field, before, after]` (`null` for "not set"). What the
-- log shows is unchanged: every field, its before and after values, in the order they
-- were made (R10.9, R11.4). `seq` is the sequence number of the run's first change, so
-- that runs sort in the order they were made and later operations of the same request
-- keep numbering after them.
CREATE TABLE audit_changes_by_object (
    entry_id BLOB    NOT NULL,
    seq      INTEGER NOT NULL,
    object   TEXT    NOT NULL,
    fields   TEXT    NOT NULL,
    PRIMARY KEY (entry_id, seq)
);

-- Existing rows, grouped into runs: within an entry, consecutive sequence numbers of one
-- object share `seq - row_number()` over that object's changes.
INSERT INTO audit_changes_by_object (entry_id, seq, object, fields)
SELECT entry_id, MIN(seq), object,
       json_group_array(json_array(field, before_value, after_value) ORDER BY seq)
FROM (
    SELECT entry_id, seq, object, field, before_value, after_value,
           seq - ROW_NUMBER() OVER (PARTITION BY entry_id, object ORDER BY seq) AS run
    FROM audit_changes
) changes
GROUP BY entry_id, object, run;

DROP TABLE audit_changes;
ALTER TABLE audit_changes_by_object RENAME TO audit_changes;
CREATE INDEX audit_changes_object ON audit_changes (object);
