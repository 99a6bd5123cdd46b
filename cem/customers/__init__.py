"""The CRM half of the method: customers and their bills, the 20:80
(Pareto) analysis that finds the VIPs, their profiles, complaints and care."""
