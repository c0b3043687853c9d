"""Statements on the hot path: compiled once by SQLAlchemy, run on the database driver (decision 0009).

A `Prepared` wraps a Core `select` (or an `insert` of given columns). For each database dialect it is
compiled once by SQLAlchemy; each run then binds the values through SQLAlchemy's own bind processors for
the column types, sends the compiled SQL to the DBAPI cursor of the session's connection (inside the
transaction the session opened), and turns the rows into named tuples through SQLAlchemy's own result
processors. The SQL, the types and their conversions are SQLAlchemy's; what is skipped is its per-call
machinery (execution context, cursor result, events, statement cache look-up), which cost about ten
times the statement itself on SQLite.

What that gives up, on purpose, for these statements only: `echo` does not log them, and the listeners
of `before_cursor_execute` and `after_cursor_execute` are told of them (statement, parameters and
cursor, a `None` execution context) only when there are any: nothing is paid when none listen. Driver
errors are still raised as SQLAlchemy's exceptions (`IntegrityError`, `OperationalError`, ...), so
callers catch what they always caught.

Refused when planned, with the reason: a parameter without a value that is expanding (`IN` of a list
given at run time) or computed (`callable_`), a column default SQLAlchemy would compute at execution
(an INSERT must be given every column but its generated key), and anything but a SELECT or an INSERT.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Dialect, Insert, Select, false, literal
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any] | None
Row = Any  # a named tuple made for the statement's columns
Statement = Select[*tuple[Any, ...]] | Insert


def one_of(column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN (values)` for values fixed when the statement is built, one bound value each: an `in_`
    of a list is an expanding parameter, rendered anew at every execution, which a `Prepared` refuses."""
    if not values:
        return false()
    found: ColumnElement[bool] = column.in_([literal(value, column.type) for value in values])
    return found


class _Plan:
    """A statement compiled for one dialect: its SQL, how to bind each parameter, and how to read rows."""

    __slots__ = ("binds", "columns", "dialect", "make_row", "positional", "processors", "returns_id", "sql")

    def __init__(self, statement: Statement, dialect: Dialect, name: str) -> None:
        self.returns_id = False
        if isinstance(statement, Insert):
            table: Any = statement.table
            (key_column,) = table.primary_key.columns
            if not getattr(dialect, "postfetch_lastrowid", False):  # PostgreSQL: the key comes back with RETURNING
                statement, self.returns_id = statement.returning(key_column), True
            keys = [c.key for c in table.columns if c is not key_column]
            compiled = statement.compile(dialect=dialect, column_keys=keys)
            if compiled.insert_prefetch or compiled.postfetch:
                raise TypeError(f"{name}: an INSERT must be given every column; SQLAlchemy would compute some")
        elif isinstance(statement, Select):
            compiled = statement.compile(dialect=dialect)
        else:
            raise TypeError(f"{name}: only a SELECT or an INSERT can be prepared")
        self.dialect = dialect
        self.sql = compiled.string
        self.positional = dialect.positional
        names: Sequence[str] = (compiled.positiontup or []) if dialect.positional else list(compiled.binds)
        if compiled.escaped_bind_names:
            raise TypeError(f"{name}: parameter names that need escaping are not supported")
        binds: list[tuple[str, str, bool, Any, Processor]] = []
        for bound_name in names:
            bind = compiled.binds[bound_name]
            if bind.expanding or bind.callable is not None or bind.literal_execute:
                raise TypeError(f"{name}: parameter {bind.key!r} is expanding, computed or rendered at execution")
            required = bind.required
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            binds.append((bound_name, bind.key, required, bind.value, processor))
        self.binds = binds
        if isinstance(statement, Select):
            selected = statement.selected_columns
            self.columns = [column.type for column in selected]
            row_type: Any = namedtuple(name.strip("_") or "Row", list(selected.keys()))  # type: ignore[misc]
            self.make_row: Callable[[Any], Row] = row_type._make
        else:
            self.columns = []
            self.make_row = tuple
        self.processors: list[Processor] | None = None  # worked out at the first rows, from the cursor

    def parameters(self, given: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = []
        for _name, key, required, default, processor in self.binds:
            if key in given:
                value = given[key]
            elif required:
                raise TypeError(f"a value is required for the parameter {key!r}")
            else:
                value = default
            values.append(value if processor is None else processor(value))  # None too: JSON's is 'null'
        if self.positional:
            return values
        return {name: value for (name, *_), value in zip(self.binds, values, strict=True)}

    def rows(self, cursor: Any) -> list[Row]:
        raw = cursor.fetchall()
        processors = self.processors
        if processors is None:
            description = cursor.description or []
            processors = self.processors = [
                type_.dialect_impl(self.dialect).result_processor(self.dialect, column[1])
                for type_, column in zip(self.columns, description, strict=True)
            ]
        make = self.make_row
        if not any(processors):
            return [make(row) for row in raw]
        pairs = [(index, processor) for index, processor in enumerate(processors) if processor is not None]
        out = []
        for row in raw:
            values = list(row)
            for index, processor in pairs:
                values[index] = processor(values[index])
            out.append(make(values))
        return out


def send(connection: Connection, sql: str, parameters: Any = ()) -> Any:
    """Execute `sql` on a new DBAPI cursor of `connection` and return the cursor: listeners told before and
    after when there are any, a driver error raised as SQLAlchemy's exception (the cursor closed)."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    dispatch = connection.dispatch
    if dispatch.before_cursor_execute:  # someone listens (a test, a tracer): told as for any statement
        for listener in dispatch.before_cursor_execute:
            sql, parameters = listener(connection, cursor, sql, parameters, None, False)
    try:
        cursor.execute(sql, parameters)
    except connection.dialect.loaded_dbapi.Error as error:
        cursor.close()
        raise DBAPIError.instance(
            sql, parameters, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error
    if dispatch.after_cursor_execute:
        for listener in dispatch.after_cursor_execute:
            listener(connection, cursor, sql, parameters, None, False)
    return cursor


class Prepared:
    """A Core statement run on the driver, compiled once per dialect by SQLAlchemy (see the module)."""

    __slots__ = ("_plans", "name", "statement")

    def __init__(self, statement: Statement | Callable[[Dialect], Statement], name: str = "Row") -> None:
        self.statement = statement  # or a function of the dialect, for a dialect's own INSERT ... ON CONFLICT
        self.name = name
        self._plans: dict[Dialect, _Plan] = {}  # by dialect instance: a few engines, each with its own

    def plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect)
        if plan is None:
            given = self.statement
            statement = given if isinstance(given, ClauseElement) else given(dialect)
            plan = self._plans[dialect] = _Plan(statement, dialect, self.name)
        return plan

    def _run(self, connection: Connection, given: Mapping[str, Any]) -> tuple[_Plan, Any]:
        plan = self.plan(connection.dialect)
        return plan, send(connection, plan.sql, plan.parameters(given))

    def all(self, connection: Connection, given: Mapping[str, Any]) -> list[Row]:
        """Every row, as named tuples of processed values."""
        plan, cursor = self._run(connection, given)
        try:
            return plan.rows(cursor)
        finally:
            cursor.close()

    def one(self, connection: Connection, given: Mapping[str, Any]) -> Row:
        """The only row; `LookupError` when there are none or several."""
        rows = self.all(connection, given)
        if len(rows) != 1:
            raise LookupError(f"{self.name}: expected one row, got {len(rows)}")
        return rows[0]

    def first(self, connection: Connection, given: Mapping[str, Any]) -> Row | None:
        rows = self.all(connection, given)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, given: Mapping[str, Any]) -> Any:
        """The first column of the only row."""
        return self.one(connection, given)[0]

    def insert(self, connection: Connection, given: Mapping[str, Any]) -> int | None:
        """Insert one row of the given columns; its generated key, or None when nothing was inserted (an
        `ON CONFLICT DO NOTHING` that met a conflict)."""
        plan, cursor = self._run(connection, given)
        try:
            if plan.returns_id:
                returned = cursor.fetchone()
                return None if returned is None else int(returned[0])
            return int(cursor.lastrowid) if cursor.rowcount == 1 else None
        finally:
            cursor.close()
