"""sozdash: the social-planning dashboard of the city of Leverkusen (data and logic)."""
