/**
 * The kinds of statement Weft's migrations are made of, told by their first words (ClickHouse DDL: `CREATE TABLE`,
 * `CREATE MATERIALIZED VIEW`, `ALTER TABLE`, `DROP …`, `INSERT INTO`). Each captures the object's name (a plain
 * identifier, optionally in backquotes); they match a statement from its start, after comments are removed.
 */
/** `CREATE TABLE [IF NOT EXISTS] name`: the name is group 2. */
export const CREATE_TABLE = /^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i;
/** `CREATE MATERIALIZED VIEW [IF NOT EXISTS] name`: the name is group 2. */
export const CREATE_MV = /^CREATE\s+MATERIALIZED\s+VIEW\s+(IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i;
/** `DROP VIEW|TABLE|DICTIONARY|FUNCTION [IF EXISTS] name`: the kind is group 1, the name group 3. */
export const DROP = /^DROP\s+(VIEW|TABLE|DICTIONARY|FUNCTION)\s+(IF\s+EXISTS\s+)?`?(\w+)`?/i;
/** `CREATE [OR REPLACE] VIEW|DICTIONARY|FUNCTION [IF NOT EXISTS] name`: the kind is group 2, the name group 4. */
export const CREATE_OTHER = /^CREATE\s+(OR\s+REPLACE\s+)?(VIEW|DICTIONARY|FUNCTION)\s+(IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i;
/** `ALTER TABLE name`: the name is group 1. */
export const ALTER_TABLE = /^ALTER\s+TABLE\s+`?(\w+)`?/i;
/** `INSERT INTO [TABLE] name`: the name is group 1. */
export const INSERT_INTO = /^INSERT\s+INTO\s+(?:TABLE\s+)?`?(\w+)`?/i;
