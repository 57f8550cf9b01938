from datetime import datetime
from decimal import Decimal


class Product:
    def __init__(self, name, price, stock):
        self.name = name
        self.price = price
        self.stock = stock


class Customer:
    def __init__(self, name, tier):
        self.name = name
        self.tier = tier


if __name__ == "__main__":
    item = Product("Widget", Decimal("9.5"), 1200)
    user = Customer("Ada", "gold")
    when = datetime(2024, 7, 4, 15, 30, 5)

    # f-strings
    print(f"{item.name!r:>10} costs ${item.price:,.2f} ({item.stock:_} in stock)")
    print(f"{{literal braces}} around {item.name}, ratio={2 / 3:.1%}, hex={255:#06x}, bin={5:08b}")
    width, precision = 12, 3
    print(f"[{3.14159265:{width}.{precision}f}] [{'left':<{width}}] [{'mid':^{width}}]")
    print(f"{when:%Y-%m-%d %H:%M:%S} | {when=} | {item.stock * 2 = }")

    # str.format
    print("{} has {} items".format(item.name, item.stock))
    print("{0} / {1} / {0}".format("a", "b"))
    print("Hello, {name}! Tier: {tier}".format(name=user.name, tier=user.tier.upper()))
    print("Customer {user.name} ({user.tier})".format(user=user))
    print("{0.name}: {0.price} x {0.stock}".format(item))
    print("{:>8}|{:<8}|{:^8}|".format("right", "left", "center"))
    print("{:+.3e} {:,} {:%}".format(12345.678, 1234567, 0.25))
    print("{data[key]} {items[1]}".format(data={"key": "value"}, items=["zero", "one"]))

    # format_map and format()
    context = {"name": "Grace", "count": 3}
    print("{name} has {count} new messages".format_map(context))
    print(format(1234.5, ",.1f"), format(42, "b"), format(when, "%A"))

    # printf-style
    print("%s is %d years old (%.1f%%)" % ("Linus", 54, 12.345))
    print("%(name)s -> %(count)03d" % context)
    print("%-10s|%10s|" % ("left", "right"), "%x %o %e" % (255, 8, 1234.5))
