"""Componente autopoiético sintetizado: expanded_data_processor.

A processor component named expanded_data_processor, evolved by EXPAND (generation 1) from data_processor.
"""
import logging

logger = logging.getLogger('expanded_data_processor')


def _checksum(items):
    return sum(len(key) * 31 + len(value) for key, value in items) % 9973


class ExpandedDataProcessor:
    """A processor component named expanded_data_processor, evolved by EXPAND (generation 1) from data_processor."""

    _security_signature = 'modulo_autopoiesis_data_expanded_data_processor'
    _generated_in_sandbox = True
    name = 'expanded_data_processor'
    component_type = 'processor'

    def __init__(self):
        self.config = {'batch_size': '32', 'generation': '1', 'parent': 'data_processor', 'strategy': 'expand'}
        self.batch_size = '32'
        self.generation = '1'
        self.parent = 'data_processor'
        self.strategy = 'expand'

    def _process(self):
        items = tuple(sorted(self.config.items()))
        return {"component": self.name, "status": "processed", "checksum": _checksum(items)}

    def run(self):
        """Do the work, then add the extended features."""
        result = self._process()
        result.update(self._extended_features())
        print(f"{self.name}: {result['status']} with {len(result['features'])} extended features")
        return result

    def _extended_features(self):
        features = sorted(self.config)
        return {"features": features, "feature_count": len(features)}
