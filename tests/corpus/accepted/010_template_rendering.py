from string import Template


class SafeDict(dict):
    """A dict that leaves unknown placeholders untouched in format_map."""

    def __missing__(self, key):
        return "{" + key + "}"


EMAIL_TEMPLATE = Template(
    "Hello $name,\n\n"
    "Your order #$order_id totalling $$${total} has shipped.\n"
    "Tracking: ${tracking}\n"
)

SMS_TEMPLATE = "Hi {name}, order {order_id} is on its way (ETA {eta})."


def render_email(context):
    return EMAIL_TEMPLATE.safe_substitute(context)


def render_sms(context):
    return SMS_TEMPLATE.format_map(SafeDict(context))


if __name__ == "__main__":
    ctx = {"name": "Ada", "order_id": 1042, "total": "59.90"}
    print(render_email(ctx))
    print(render_sms(ctx))
    print("Template identifiers valid:", EMAIL_TEMPLATE.is_valid())
    print("Placeholders:", EMAIL_TEMPLATE.get_identifiers())
