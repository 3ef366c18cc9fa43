/// The few inner loops of the learners, on raw pointers with `while` loops.
///
/// Why: pointer subscripts and integer comparisons are `@_transparent` in the standard
/// library, so these loops stay fast even in the unoptimised builds the test suite runs in
/// (a `for i in 0..<n` over `Array` calls the iterator and the bounds check per element:
/// the logistic regression on NSL-KDD took 80 s in a debug build that way). Every caller
/// passes pointers to buffers of at least `count` elements, taken from arrays it owns.
enum Kernels {
    /// Σ a[i]·b[i].
    @inline(__always) static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i &+ 4 <= count {
            s0 += a[i] * b[i]; s1 += a[i &+ 1] * b[i &+ 1]
            s2 += a[i &+ 2] * b[i &+ 2]; s3 += a[i &+ 3] * b[i &+ 3]
            i &+= 4
        }
        while i < count { s0 += a[i] * b[i]; i &+= 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// y[i] += alpha·x[i].
    @inline(__always) static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int) {
        var i = 0
        while i < count { y[i] += alpha * x[i]; i &+= 1 }
    }

    /// out[i] = a[i]·b[i], returning Σ out[i].
    @inline(__always) static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, _ count: Int) -> Double {
        var s = 0.0
        var i = 0
        while i < count { let v = a[i] * b[i]; out[i] = v; s += v; i &+= 1 }
        return s
    }

    /// a[i] −= b[i].
    @inline(__always) static func subtract<T: FloatingPoint>(_ a: UnsafeMutablePointer<T>, _ b: UnsafePointer<T>, _ count: Int) {
        var i = 0
        while i < count { a[i] -= b[i]; i &+= 1 }
    }

    @inline(__always) static func subtract(_ a: UnsafeMutablePointer<Int32>, _ b: UnsafePointer<Int32>, _ count: Int) {
        var i = 0
        while i < count { a[i] &-= b[i]; i &+= 1 }
    }
}
