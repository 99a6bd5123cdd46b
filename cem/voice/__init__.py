"""Voice of the customer: feedback, its scores and words, and closing the loop."""
