"""How each marketplace is spoken to: the contract, the HTTP core, one package per marketplace."""
