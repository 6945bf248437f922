"""`flask backup FILE` and `flask restore FILE`."""
from pathlib import Path

import click

from tracker.cli.common import Command, command_transaction
from tracker.services.exporting.backup import create_backup, restore_backup


@click.command("backup", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@command_transaction
def backup_command(file):
    """备份数据库和全部证明材料到一个 zip 文件。"""
    manifest = create_backup(file)
    counts = manifest["counts"]
    click.echo(f"已备份到 {file}:任务{counts['plan_task']}项,进展{counts['progress_update']}条,"
               f"材料{counts['evidence']}个,留痕{counts['audit_entry']}条")


@click.command("restore", cls=Command)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@command_transaction
def restore_command(file):
    """把备份恢复到一个新的空数据库(及证明材料目录)。"""
    manifest = restore_backup(file)
    click.echo(f"已从 {file} 恢复({manifest['created_at']} 的备份)")
