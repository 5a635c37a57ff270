// The error a bad scenario raises: its message names the bad field by its path.

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}
