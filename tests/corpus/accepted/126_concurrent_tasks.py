import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, TimeoutError, as_completed, wait


def work(task_id: int, duration: float) -> str:
    time.sleep(duration)
    if task_id == 3:
        raise ValueError(f"task {task_id} failed")
    return f"task {task_id} done in {duration:.2f}s"


def run_batch(durations):
    results, errors = [], []
    with ThreadPoolExecutor(max_workers=4) as executor:
        futures = {executor.submit(work, i, d): i for i, d in enumerate(durations)}
        for future in as_completed(futures):
            try:
                results.append(future.result())
            except ValueError as exc:
                errors.append(str(exc))
    return sorted(results), errors


def first_finisher(durations):
    with ThreadPoolExecutor(max_workers=len(durations)) as executor:
        futures = [executor.submit(work, i, d) for i, d in enumerate(durations)]
        done, not_done = wait(futures, return_when=FIRST_COMPLETED)
        winner = next(iter(done)).result()
        return winner, len(not_done)


def with_timeout(duration, timeout):
    with ThreadPoolExecutor(max_workers=1) as executor:
        future = executor.submit(work, 0, duration)
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            return "timed out"


if __name__ == "__main__":
    results, errors = run_batch([0.03, 0.01, 0.02, 0.01, 0.02])
    print(results)
    print(errors)
    print(first_finisher([0.05, 0.01, 0.04]))
    print(with_timeout(0.05, timeout=0.01))
    with ThreadPoolExecutor() as ex:
        print(list(ex.map(str.upper, ["a", "b", "c"])), sum(ex.map(pow, [2, 3], [5, 2])))
