"""Steps 3-4 of the method, the improvement plan: people, tasks with owners,
monthly 30/20/10 commitments and check-ins, meetings, and the executive
view of the monthly improvement, with its charts, report and workbook."""
