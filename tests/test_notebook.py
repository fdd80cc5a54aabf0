"""The analysis notebook runs top to bottom on corpus/ and draws its charts; its committed outputs are clear."""

import nbformat
from nbclient import NotebookClient

from .conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "ratings.ipynb"


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")


def test_notebook_runs_top_to_bottom():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2, "the stacked shares and the time series are drawn"
    text = "".join(o.get("text", "") for o in outputs)
    assert "documents" in text and "checks" in text
    seeds = len(list((NOTEBOOK.parent.parent / "corpus").glob("*.txt")))
    assert f"{seeds} documents, 0 failed" in text, "the test suites of corpus/ are left out by default"


def test_the_input_folder_is_a_parameter():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert "INPUT = " in cell.source and "TEST_SUITES = " in cell.source
