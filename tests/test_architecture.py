"""The shape docs/architecture.md promises: no import circles, small modules, a core that imports no feature."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("tracker.models", "tracker.services.tasks", "tracker.services.people", "tracker.services.plans",
        "tracker.services.calendar", "tracker.services.figures", "tracker.services.infra")
FEATURES = ("tracker.services.reminders", "tracker.services.reporting", "tracker.services.importing",
            "tracker.services.exporting", "tracker.services.dashboard", "tracker.services.demo",
            "tracker.services.rankings", "tracker.services.directives", "tracker.services.supervision")
PAGES = ("tracker.api", "tracker.auth", "tracker.dashboard", "tracker.exports", "tracker.home", "tracker.imports",
         "tracker.reminders", "tracker.plans", "tracker.reports", "tracker.review", "tracker.task_pages",
         "tracker.users_admin", "tracker.cli", "tracker.bulletins", "tracker.directives",
         "tracker.supervision")
MAX_LINES = 400
MAX_LOOSE = 6  # modules directly in tracker/services/


def _modules() -> dict[str, Path]:
    found = {}
    for base in ("tracker", "tasks"):
        for path in (ROOT / base).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"


def _imports(module: str, *, module_level: bool) -> set[str]:
    """The project modules `module` imports (at module level only, or anywhere)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes):
        for node in nodes:
            if _is_type_checking(node):
                continue
            if isinstance(node, ast.Import):
                found.update(filter(None, (_resolve(a.name) for a in node.names)))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    found.add(_resolve(target) if target in MODULES else _resolve(base))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and module_level:
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                visit(getattr(node, field, []) or [])

    visit(tree.body)
    found.discard(None)
    found.discard(module)
    return found


def _within(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_import_circles_at_module_level():
    graph = {m: _imports(m, module_level=True) for m in MODULES}
    circles, index, low, stack, on_stack = [], {}, {}, [], set()

    def strong(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            strong(module)
    assert circles == []


def test_the_core_imports_no_feature_and_no_page():
    offenders = {m: sorted(i for i in _imports(m, module_level=False) if _within(i, FEATURES + PAGES))
                 for m in MODULES if _within(m, CORE)}
    assert {m: i for m, i in offenders.items() if i} == {}


def test_services_import_no_page():
    offenders = {m: sorted(i for i in _imports(m, module_level=False) if _within(i, PAGES))
                 for m in MODULES if _within(m, ("tracker.services", "tasks"))}
    assert {m: i for m, i in offenders.items() if i} == {}


def test_modules_are_small():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_services_are_grouped_by_domain():
    loose = sorted(p.name for p in (ROOT / "tracker" / "services").glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE, loose
