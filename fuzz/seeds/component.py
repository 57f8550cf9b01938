"""Componente autopoiético sintetizado: seed."""
import logging

logger = logging.getLogger('seed')


class Seed:
    _security_signature = 'modulo_autopoiesis_data_seed'
    _generated_in_sandbox = True

    def run(self):
        print(f"{self.__class__!r:>{width}} {{literal}}")
        return "{0.__globals__}".format(self)
