// The README's examples, verbatim (tests/readme.test.ts checks the README holds these texts).
export const EXAMPLES = {
  riskScore: `# clinical risk score: weighted sum + sigmoid
input x: enc vec<30> in [-2, 2]
input w: plain vec<30> in [-0.1, 0.1]
input bias: plain f64 in [-1, 1]
let z = dot(w, x) + bias
output risk = sigmoid(z) in [-8, 8] degree 7
`,
  dosage: `# dosage formula: polynomial in two encrypted reals
input weight: enc f64 in [30, 150]
input age: enc f64 in [18, 90]
let dose = 0.5 + 0.02 * weight + 0.0001 * weight * age - 0.00002 * weight^2
output mg = dose * 10
`,
  cohort: `# cohort statistic: mean and variance of an encrypted column
input x: enc vec<32> in [0, 10]
let m = mean(x)
output mean = m
output variance = mean(x * x) - m^2
`,
  eligibility: `# eligibility rule: score above a threshold, as a smooth step
input income: enc f64 in [0, 10]
input debt: enc f64 in [0, 10]
let margin = income - 1.5 * debt
output eligible = (margin > 1) in [-26, 26] degree 15
`,
} as const
