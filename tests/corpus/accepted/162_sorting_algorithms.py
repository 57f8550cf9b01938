import random
from typing import List, MutableSequence, TypeVar

T = TypeVar("T")


def quicksort(items: List[T]) -> List[T]:
    if len(items) <= 1:
        return list(items)
    pivot = items[len(items) // 2]
    less = [x for x in items if x < pivot]
    equal = [x for x in items if x == pivot]
    greater = [x for x in items if x > pivot]
    return quicksort(less) + equal + quicksort(greater)


def merge_sort(items: List[T]) -> List[T]:
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    left, right = merge_sort(items[:mid]), merge_sort(items[mid:])
    merged, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    return merged + left[i:] + right[j:]


def heap_sort(items: MutableSequence[T]) -> MutableSequence[T]:
    a = list(items)
    n = len(a)

    def sift_down(start, end):
        root = start
        while 2 * root + 1 <= end:
            child = 2 * root + 1
            if child + 1 <= end and a[child] < a[child + 1]:
                child += 1
            if a[root] < a[child]:
                a[root], a[child] = a[child], a[root]
                root = child
            else:
                return

    for start in range(n // 2 - 1, -1, -1):
        sift_down(start, n - 1)
    for end in range(n - 1, 0, -1):
        a[0], a[end] = a[end], a[0]
        sift_down(0, end - 1)
    return a


def insertion_sort(items: List[T]) -> List[T]:
    a = list(items)
    for i in range(1, len(a)):
        key, j = a[i], i - 1
        while j >= 0 and a[j] > key:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = key
    return a


if __name__ == "__main__":
    rng = random.Random(2)
    for trial in range(50):
        data = [rng.randint(-100, 100) for _ in range(rng.randint(0, 40))]
        expected = sorted(data)
        for algorithm in (quicksort, merge_sort, heap_sort, insertion_sort):
            assert list(algorithm(data)) == expected, algorithm.__name__
    sample = [rng.randint(0, 99) for _ in range(12)]
    print(sample)
    print(quicksort(sample))
    print(merge_sort(["pear", "apple", "fig", "banana"]))
    print("all algorithms agree on 50 random inputs")
