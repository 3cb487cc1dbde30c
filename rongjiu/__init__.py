"""rongjiu: the data backbone of Beilin District's 融救联助 social-assistance system."""
