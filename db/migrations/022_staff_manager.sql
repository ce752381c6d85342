-- Program managers sign in to the console too: their dashboard of outcome indicators. A manager
-- staff member acts as a manager client of their organisation would (aggregates only), so the
-- staff roles follow the API's roles again.
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('admin', 'planner', 'partner', 'compliance', 'manager'));
