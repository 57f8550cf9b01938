import hashlib
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Dict, List

logger = logging.getLogger(__name__)


@dataclass
class FetchResult:
    url: str
    status: int
    size: int
    checksum: str


def simulated_fetch(url: str, delay: float) -> FetchResult:
    """Pretend to download ``url``. No network is touched."""
    time.sleep(delay)
    if "broken" in url:
        raise ConnectionError(f"could not reach {url}")
    body = (url * 10).encode()
    return FetchResult(url, 200, len(body), hashlib.sha1(body).hexdigest()[:10])


class ParallelFetcher:
    _security_signature = "modulo_autopoiesis_data_parallel_fetcher"
    _generated_in_sandbox = True

    def __init__(self):
        self.urls: List[str] = [f"https://example.com/page/{i}" for i in range(6)]
        self.urls.append("https://broken.example.com/")
        self.rng = random.Random(1234)
        self.max_workers = 4

    def run(self):
        results: Dict[str, FetchResult] = {}
        errors: Dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="fetch") as pool:
            futures = {pool.submit(simulated_fetch, url, self.rng.uniform(0.001, 0.02)): url for url in self.urls}
            for future in as_completed(futures):
                url = futures[future]
                try:
                    results[url] = future.result()
                except ConnectionError as exc:
                    logger.warning("Fetch failed for %s: %s", url, exc)
                    errors[url] = str(exc)
        for url in sorted(results):
            r = results[url]
            print(f"{r.status} {r.size:>5} {r.checksum} {url}")
        print(f"{len(results)} succeeded, {len(errors)} failed")
        with ThreadPoolExecutor(max_workers=2) as pool:
            squares = list(pool.map(lambda n: n * n, range(8)))
        print("map:", squares)
