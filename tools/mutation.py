"""Mutation testing of one core gdutils module with mutmut, in a scratch copy.

    python tools/mutation.py optimizers            # one module (CPU heavy: ~minutes)
    python tools/mutation.py --all                 # every core module, in turn

mutmut (3.8.1) lives in its own folder, outside the book's environment:
``python -m pip install --target /tmp/mutenv mutmut==3.8.1`` (then it is found through
``--mutenv``; the book's pytest, numpy, ... are used). Each run copies ``gdutils/``,
``tests/`` and ``pyproject.toml`` to a temporary folder, mutates only
``gdutils/<module>.py`` and runs only that module's test files (``TESTS`` below), so
runs never touch the repository. Prints one row per module: generated, killed,
survived, equivalent (the survivors listed in ``EQUIVALENT`` with the reason they cannot
be killed), other (timeouts, suspicious), and the score killed / (generated -
equivalent). ``--show`` prints the diff of every survivor that is not in ``EQUIVALENT``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MSG = "tests/test_error_messages.py"
TESTS = {
    "optimizers": ["tests/test_optimizers.py", "tests/test_bad_input.py", MSG],
    "accelerated": ["tests/test_accelerated.py", "tests/test_bad_input.py", MSG],
    "losses": ["tests/test_losses.py", "tests/test_bad_input.py", MSG],
    "gradcheck": ["tests/test_gradcheck.py", "tests/test_bad_input.py", MSG],
    "schedules": ["tests/test_schedules.py", "tests/test_bad_input.py", MSG],
    "stochastic": ["tests/test_stochastic.py", "tests/test_bad_input.py", MSG],
    "nn": ["tests/test_nn.py", "tests/test_bad_input.py", MSG],
}

# Survivors that no test can kill, each with the reason (mutmut's mutant names).
_SAME_CHECK = "check_x_finite=None is falsy like False: the same checks run"
_DEFAULT_NAME = "the argument dropped is the name the callee uses by default"
_NOT_2D = "X that is not 2-D is refused by as_data before y's length is read"
_OPT = "gdutils.optimizers.x"
_SAME_RATE = "the constant's rate read per update instead of once: the same number"
_SLOW_CHECK = "a float rate in [0, 1) or 0 takes the full check: the same float back"
_NEW_BUFFER = "a new array for the weights' step instead of the reused one: same values"
_LABEL = "the default label is replaced in every branch that reads it"
_NONE_IS_NAN = "np.full_like(float array, None) fills with NaN, as np.nan does"
_INTEGERS_N = "gen.integers(n, size) draws from [0, n) like integers(0, n, size)"
_EINSUM_CASE = "einsum subscripts are only labels: upper case reads the same"
_NO_INVALID = (
    "no invalid flag to hide: theta* from lstsq is finite, so paths - theta* is never"
    " inf - inf, and einsum and np.maximum raise no flags"
)
EQUIVALENT: dict[str, str] = {
    f"{_OPT}ǁ_Countedǁ__init____mutmut_8": _LABEL,
    f"{_OPT}ǁ_Countedǁ__init____mutmut_9": _LABEL,
    f"{_OPT}ǁ_Countedǁ__init____mutmut_10": _LABEL,
    f"{_OPT}ǁ_Countedǁ__init____mutmut_43": "None and '' are both falsy: label 'jac'",
    f"{_OPT}__rate_at__mutmut_4": _SLOW_CHECK,
    f"{_OPT}__rate_at__mutmut_5": _SLOW_CHECK,
    f"{_OPT}__callback_caller__mutmut_8": "None, like set(), is not the keyword form",
    f"{_OPT}_minibatch_gd__mutmut_124": _NONE_IS_NAN,
    f"{_OPT}_minibatch_gd__mutmut_148": "mse's _prepare checks theta only, never y",
    f"{_OPT}_minibatch_gd__mutmut_176": _SAME_RATE,
    f"{_OPT}_minibatch_gd__mutmut_177": _SAME_RATE,
    f"{_OPT}_minibatch_gd__mutmut_304": _SAME_RATE,
    f"{_OPT}_minibatch_gd__mutmut_305": _SAME_RATE,
    f"{_OPT}_minibatch_gd__mutmut_220": "one full batch in permuted order: same sum",
    f"{_OPT}_minibatch_gd__mutmut_247": "check=None is falsy like False",
    f"{_OPT}_minibatch_gd__mutmut_256": "checking every update: the same run, slower",
    f"{_OPT}_minibatch_gd__mutmut_383": _NONE_IS_NAN,
    f"{_OPT}_minibatch_gd__mutmut_345": "only mse has a trusted loss; it takes no args",
    f"{_OPT}__descend__mutmut_70": "float() reads 'NAN' as it reads 'nan'",
    "gdutils.losses.x_mse__mutmut_5": _SAME_CHECK,
    "gdutils.losses.x__mse_epoch__mutmut_60": _NEW_BUFFER,
    "gdutils.losses.x__mse_epoch__mutmut_98": _NEW_BUFFER,
    "gdutils.losses.x__mse_epoch__mutmut_101": _NEW_BUFFER,
    "gdutils.losses.x__mse_epoch__mutmut_108": "ones[:m] of the full buffer: same ones",
    "gdutils.losses.x_mse_grad__mutmut_5": _SAME_CHECK,
    "gdutils.losses.x_predict__mutmut_21": _NOT_2D,
    "gdutils.losses.x_mse_hessian__mutmut_25": _NOT_2D,
    "gdutils.gradcheck.x_numerical_gradient__mutmut_9": _DEFAULT_NAME,
    "gdutils.gradcheck.x_numerical_gradient__mutmut_18": _DEFAULT_NAME,
    "gdutils.gradcheck.x_check_gradient__mutmut_6": _DEFAULT_NAME,
    "gdutils.stochastic.x_minibatch_variance__mutmut_37": _INTEGERS_N,
    "gdutils.stochastic.x_sgd_runs__mutmut_72": _INTEGERS_N,
    "gdutils.stochastic.x__rate_table__mutmut_2": (
        "np.ndim of a callable (function or schedule) is 0: it is wrapped anyway"
    ),
    "gdutils.stochastic.x_sgd_runs__mutmut_41": (
        "a deep copy of a generator just made from a seed is that same generator"
    ),
    "gdutils.stochastic.x_sgd_runs__mutmut_133": _EINSUM_CASE,
    "gdutils.stochastic.x_sgd_runs__mutmut_146": _EINSUM_CASE,
    "gdutils.stochastic.x_excess_mse__mutmut_52": _EINSUM_CASE,
    "gdutils.stochastic.x_excess_mse__mutmut_27": (
        "lstsq's rcond defaults to None in NumPy >= 2 (the pinned 2.x)"
    ),
    "gdutils.stochastic.x_excess_mse__mutmut_32": _NO_INVALID,
    "gdutils.stochastic.x_excess_mse__mutmut_34": _NO_INVALID,
    "gdutils.stochastic.x_first_below__mutmut_36": (
        "astype(None) is astype(float64), and np.where with inf is float anyway"
    ),
}


def run_module(module: str, mutenv: Path, keep: bool, show: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"mutmut-{module}-"))
    try:
        shutil.copytree(
            ROOT / "gdutils",
            work / "gdutils",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        shutil.copytree(
            ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
        tests = "\n    ".join(TESTS[module])
        (work / "setup.cfg").write_text(
            "[mutmut]\n"
            "source_paths = gdutils/\n"
            f"only_mutate = gdutils/{module}.py\n"
            f"pytest_add_cli_args_test_selection =\n    {tests}\n"
            "pytest_add_cli_args =\n    -p no:xdist\n    -p no:randomly\n"
            "    -p no:cacheprovider\n"
            "use_git_change_detection = false\n"
        )
        env = dict(os.environ, PYTHONPATH=f"{work}{os.pathsep}{mutenv}")
        cmd = [sys.executable, "-m", "mutmut"]
        subprocess.run(
            [*cmd, "run", "--max-children", "1"],
            cwd=work,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [*cmd, "export-cicd-stats"],
            cwd=work,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text())
        listing = subprocess.run(
            [*cmd, "results", "--all", "true"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
        survivors = [
            line.split(":")[0].strip()
            for line in listing.splitlines()
            if line.strip().endswith("survived")
        ]
        unexplained = [s for s in survivors if s not in EQUIVALENT]
        if show:
            for name in unexplained:
                print(
                    subprocess.run(
                        [*cmd, "show", name],
                        cwd=work,
                        env=env,
                        capture_output=True,
                        text=True,
                    ).stdout
                )
        equivalent = len(survivors) - len(unexplained)
        generated = stats["total"]
        return {
            "module": module,
            "generated": generated,
            "killed": stats["killed"],
            "survived": stats["survived"],
            "equivalent": equivalent,
            "other": generated - stats["killed"] - stats["survived"],
            "score": stats["killed"] / max(generated - equivalent, 1),
            "unexplained": unexplained,
        }
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[*TESTS, []])
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--mutenv", type=Path, default=Path("/tmp/mutenv"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--show", action="store_true", help="diff of each survivor")
    args = parser.parse_args(argv)
    modules = list(TESTS) if args.all else args.modules
    print("| module | generated | killed | survived | equivalent | other | score |")
    print("|---|---|---|---|---|---|---|")
    for module in modules:
        r = run_module(module, args.mutenv, args.keep, args.show)
        print(
            f"| {r['module']} | {r['generated']} | {r['killed']} | {r['survived']} |"
            f" {r['equivalent']} | {r['other']} | {r['score']:.1%} |",
            flush=True,
        )
        for name in r["unexplained"]:
            print(f"    survived: {name}")


if __name__ == "__main__":
    main()
