namespace Nabla.Kernels;

/// <summary>Special functions .NET's Math does not have.</summary>
internal static class SpecialFunctions
{
    /// <summary>The error function erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt, to about 1e-13 (absolute).</summary>
    /// <remarks>
    /// For |x| &lt; 3, the Maclaurin series erf(x) = (2/√π) Σₙ (−1)ⁿ x^(2n+1) / (n!·(2n+1)), summed until its terms
    /// vanish (at |x| = 3 the largest term is ~3·10³, so about four digits are lost to cancellation). Beyond, the
    /// continued fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), which converges fast for large x,
    /// evaluated from the tail upwards.
    /// </remarks>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double a = Math.Abs(x);
        if (a < 3)
        {
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200; n++)
            {
                term *= -x2 / n;                    // (−1)ⁿ x^(2n+1) / n!
                double next = term / ((2 * n) + 1);
                sum += next;
                if (Math.Abs(next) < 1e-17 * Math.Abs(sum)) break;
            }

            return 2 / Math.Sqrt(Math.PI) * sum;
        }

        // The sign as x < 0 ? −1 : 1 rather than Math.Sign, which can throw (on NaN, excluded above): a GPU kernel calls
        // this function too, and a kernel cannot throw.
        double sign = x < 0 ? -1 : 1;
        if (a > 27) return sign;   // erfc(27) < 1e-300
        double fraction = a;
        for (int k = 60; k >= 1; k--) fraction = a + (k / 2.0 / fraction);
        double complement = Math.Exp(-a * a) / (Math.Sqrt(Math.PI) * fraction);
        return sign * (1 - complement);
    }
}
