-- Program managers sign in to the console too (the indicators dashboard): the staff role list
-- follows the API's roles, which gained `manager` with the outcome indicators. Without this an
-- account for a manager was refused by the database (a 500) although the API schema accepts it.
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('admin', 'planner', 'partner', 'compliance', 'manager'));
