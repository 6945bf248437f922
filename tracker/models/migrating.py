"""What migrations share: SQLite's table copies, which need its foreign keys off while they run."""
import sqlalchemy as sa

OPEN = "status NOT IN ('done', 'cancelled', 'carried_over')"  # plan_task's partial indexes (migration 0430)


def copying_tables(op, change) -> None:
    """Run `change` with SQLite's foreign keys off (a table copy drops the original), then check them.

    plan_task's expression index, which a copy cannot carry, is made again. A failed run on SQLite may leave a
    table _alembic_tmp_<name>: drop it, then retry.
    """
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")  # migrations run outside a transaction on SQLite, so this holds
    change()
    if sqlite:
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the table copy: {broken[:5]}")
        op.execute("DROP INDEX IF EXISTS ix_plan_task_open_activity")
        op.create_index("ix_plan_task_open_activity", "plan_task",
                        [sa.text("coalesce(last_progress_at, assigned_at, created_at)")], sqlite_where=sa.text(OPEN))
        op.execute("PRAGMA foreign_keys=ON")


def replace_check(op, table: str, name: str, column: str, values) -> None:
    """Drop the CHECK `name` on `table` and make it again over `values` (inside copying_tables on SQLite)."""
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(name, type_="check")
        batch.create_check_constraint(name, f"{column} IN ({', '.join(repr(v) for v in values)})")
