import functools
import warnings


def deprecated(reason="", version=None):
    """Mark a function as deprecated.

    Emits a :class:`DeprecationWarning` each time the function is called.

    :param reason: why the function is deprecated and what to use instead
    :param version: the version in which it was deprecated
    """

    def decorator(func):
        message = f"{func.__qualname__} is deprecated"
        if version:
            message += f" since {version}"
        if reason:
            message += f": {reason}"

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            warnings.warn(message, category=DeprecationWarning, stacklevel=2)
            return func(*args, **kwargs)

        wrapper.__deprecated__ = message
        return wrapper

    return decorator


@deprecated("use parse_config() instead", version="2.0")
def load_config(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def parse_config(text):
    return {k.strip(): v.strip() for k, v in (line.split("=", 1) for line in text.splitlines() if "=" in line)}


class ExperimentalFeatureWarning(UserWarning):
    pass


def experimental_sort(values):
    warnings.warn("experimental_sort may change without notice", ExperimentalFeatureWarning)
    return sorted(values, key=lambda v: (len(str(v)), v))


if __name__ == "__main__":
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        print(load_config("a=1\nb=2"))
        print(experimental_sort([100, 3, 20, 1]))
    for w in caught:
        print(f"{w.category.__name__}: {w.message}")
    print(parse_config(" host = localhost \nport=8080"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExperimentalFeatureWarning)
        try:
            experimental_sort([2, 1])
        except ExperimentalFeatureWarning as exc:
            print("escalated:", exc)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    print(load_config("x=y"), load_config.__deprecated__)
