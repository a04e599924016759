"""scikit-learn's own estimator checks, on both estimators, with every expected failure declared here."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from nnlearn import NNClassifier, NNRegressor

# Checks that fail, each with the reason; at most three per estimator, none of them an API check.
EXPECTED_FAILED = {
    "NNClassifier": {},
    "NNRegressor": {},
}


def expected_failed(estimator):
    return EXPECTED_FAILED[type(estimator).__name__]


@parametrize_with_checks([NNClassifier(), NNRegressor()], expected_failed_checks=expected_failed)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
