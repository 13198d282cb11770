import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.queue.support import django_env, manage

DATABASE = "ventanilla.sqlite3"

# Two audited org units: one whose entry is 400 days old, one created just now.
SEED = """
import json
from datetime import timedelta
from auditlog.models import LogEntry
from django.utils import timezone
from ventanilla.org.models import OrgUnit, OrgUnitKind
kind = OrgUnitKind.HEAD_OFFICE
aged = OrgUnit.objects.add_root({"code": "AGED", "name": "Aged", "kind": kind})
fresh = OrgUnit.objects.add_root({"code": "FRESH", "name": "Fresh", "kind": kind})
LogEntry.objects.get_for_object(aged).update(timestamp=timezone.now() - timedelta(days=400))
print(json.dumps({"aged": str(aged.pk), "fresh": str(fresh.pk)}))
"""


@dataclass
class Installation:
    """An embedded installation: a migrated SQLite database with two audit entries."""

    var_dir: Path
    aged_pk: str
    fresh_pk: str

    @property
    def database(self) -> Path:
        return self.var_dir / DATABASE


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Installation:
    var_dir = tmp_path_factory.mktemp("template-var")
    env = django_env(var_dir)
    manage(env, "migrate", "--no-input", "-v", "0", timeout=120)
    pks = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    return Installation(var_dir, pks["aged"], pks["fresh"])


@pytest.fixture
def installation(seeded_template, tmp_path) -> Installation:
    """A copy of the seeded installation for one test."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    for path in seeded_template.var_dir.glob(f"{DATABASE}*"):
        shutil.copy2(path, var_dir / path.name)
    return Installation(var_dir, seeded_template.aged_pk, seeded_template.fresh_pk)
