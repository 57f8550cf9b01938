import ipaddress
from collections import Counter

ADDRESSES = [
    "10.0.0.15", "10.0.1.200", "192.168.1.10", "192.168.1.77",
    "172.16.5.4", "8.8.8.8", "2001:db8::1", "::1", "fe80::1ff:fe23:4567:890a",
]


def classify(address: str) -> str:
    ip = ipaddress.ip_address(address)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_global:
        return "global"
    return "other"


def subnet_plan(cidr: str, new_prefix: int):
    network = ipaddress.ip_network(cidr)
    for subnet in network.subnets(new_prefix=new_prefix):
        hosts = list(subnet.hosts())
        yield subnet, hosts[0], hosts[-1], subnet.num_addresses


def summarize_ranges(first: str, last: str):
    return list(ipaddress.summarize_address_range(ipaddress.ip_address(first), ipaddress.ip_address(last)))


if __name__ == "__main__":
    for addr in ADDRESSES:
        print(f"{addr:<28} v{ipaddress.ip_address(addr).version} {classify(addr)}")
    print(Counter(classify(a) for a in ADDRESSES))
    for subnet, first, last, size in subnet_plan("10.20.0.0/22", 24):
        print(f"{subnet}  {first} - {last}  ({size} addresses)")
    print(summarize_ranges("192.0.2.0", "192.0.2.130"))
    net = ipaddress.ip_network("192.168.1.0/24")
    print(ipaddress.ip_address("192.168.1.77") in net, net.netmask, net.broadcast_address)
    print(sorted(ipaddress.ip_interface(i) for i in ("10.0.0.2/8", "10.0.0.1/8")))
