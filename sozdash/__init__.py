"""sozdash: a city's social-planning dashboard (data and logic); the city comes from its data."""
