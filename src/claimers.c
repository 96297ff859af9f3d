// SPDX-License-Identifier: GPL-2.0
/*
 * The claimers: kernel threads, started with the worker, that run the
 * claims of a wave together (claim.c).
 *
 * Every alloc_contig_range() waits for an expedited RCU grace period, and
 * claims that wait at the same moment share theirs; so a wave's claims run
 * in threads of their own, at once.  A workqueue would do the same by
 * starting a worker for each claim blocked in its grace period, and
 * letting the workers it no longer needs exit after five idle minutes:
 * each wave after a pause would create dozens of kernel threads, and each
 * creation wakes kthreadd on another vCPU and then its creator, two
 * interrupts.  In a guest that was most of what a fragmented free cost the
 * other vCPUs.  These threads exist from the worker's start to its end,
 * sleep (TASK_IDLE) between waves, and are not freezable: they hold
 * nothing between waves, and a wave ends by itself.
 *
 * A wave runs on the CPU that starts it: each thread is moved there, while
 * it sleeps, before it is woken, so that waking it interrupts no other
 * vCPU (the scheduler would otherwise wake each on an idle vCPU).
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "pagehint.h"

/* One run of pagehint_together(); on its caller's stack. */
struct pagehint_together {
	void (*fn)(void *arg, unsigned int i);
	void *arg;
	unsigned int nr;		/* calls: threads to wait for */
	atomic_t started;
	atomic_t pending;
	struct completion all_started;
	struct completion go;
	struct completion done;
};

struct pagehint_claimer {
	struct task_struct *task;
	/* Set by pagehint_together() while the thread sleeps; the thread clears it. */
	struct pagehint_together *job;
	unsigned int i;			/* the call to make */
};

/*
 * Serialises pagehint_together(): the worker's waves, and KUnit's.  Held
 * across a wave; the threads do not take it.
 */
static DEFINE_MUTEX(pagehint_claimers_lock);
static struct pagehint_claimer pagehint_claimers[PAGEHINT_WAVE];
static unsigned int pagehint_nr_claimers;

/*
 * Wait until every call of the wave has started (or HZ / 10 passed: a
 * thread may be slow to get the CPU), so that they ask for their grace
 * periods at one moment, then make the call.
 */
static void pagehint_together_call(struct pagehint_together *t, unsigned int i)
{
	if (atomic_inc_return(&t->started) == t->nr)
		complete(&t->all_started);
	wait_for_completion(&t->go);
	t->fn(t->arg, i);
}

static int pagehint_claimer_fn(void *data)
{
	struct pagehint_claimer *c = data;
	struct pagehint_together *t;

	for (;;) {
		set_current_state(TASK_IDLE);
		/* Pairs with pagehint_together()'s release: c->i is set. */
		t = smp_load_acquire(&c->job);
		if (!t) {
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		pagehint_together_call(t, c->i);
		/* @t is the caller's: not touched after the last one is done. */
		WRITE_ONCE(c->job, NULL);
		if (atomic_dec_and_test(&t->pending))
			complete(&t->done);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Let @c's thread, which sleeps, run only on @cpu.  A CPU going offline
 * refuses it, and takes its threads' affinity away when it goes: the
 * thread then wakes anywhere, as it would without this.
 */
static void pagehint_claimer_move(struct pagehint_claimer *c, int cpu)
{
	if (!cpumask_equal(c->task->cpus_ptr, cpumask_of(cpu)))
		set_cpus_allowed_ptr(c->task, cpumask_of(cpu));
}

/*
 * Call @fn(@arg, i) for every bit i of @which, all at once, each in a
 * thread of its own that waits until all have started; return when all
 * returned.  Calls beyond the threads there are (threads that could not
 * be created) are made here after the others, one after the other.
 */
void pagehint_together(void (*fn)(void *arg, unsigned int i), void *arg,
		       unsigned long which)
{
	struct pagehint_together t = {
		.fn = fn,
		.arg = arg,
		.started = ATOMIC_INIT(0),
		.pending = ATOMIC_INIT(1),
	};
	unsigned int i, k = 0;
	int cpu;

	init_completion(&t.all_started);
	init_completion(&t.go);
	init_completion(&t.done);
	mutex_lock(&pagehint_claimers_lock);
	t.nr = min_t(unsigned int, hweight_long(which), pagehint_nr_claimers);
	cpu = raw_smp_processor_id();
	for_each_set_bit(i, &which, BITS_PER_LONG) {
		struct pagehint_claimer *c = &pagehint_claimers[k];

		if (k == t.nr)
			break;
		pagehint_claimer_move(c, cpu);
		c->i = i;
		atomic_inc(&t.pending);
		/* c->i before c->job, which the thread reads with acquire. */
		smp_store_release(&c->job, &t);
		wake_up_process(c->task);
		__clear_bit(i, &which);
		k++;
	}
	if (k) {
		wait_for_completion_timeout(&t.all_started, HZ / 10);
		complete_all(&t.go);
	}
	if (!atomic_dec_and_test(&t.pending))
		wait_for_completion(&t.done);
	mutex_unlock(&pagehint_claimers_lock);

	for_each_set_bit(i, &which, BITS_PER_LONG)
		fn(arg, i);
}

void pagehint_claimers_init(void)
{
	struct task_struct *task;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pagehint_claimers); i++) {
		task = kthread_create(pagehint_claimer_fn, &pagehint_claimers[i],
				      "pagehint/c%u", i);
		if (IS_ERR(task))
			break;
		pagehint_claimers[i].task = task;
		pagehint_claimers[i].job = NULL;
		wake_up_process(task);
	}
	pagehint_nr_claimers = i;
	if (i < ARRAY_SIZE(pagehint_claimers))
		pr_warn("%u of %zu claim threads started: claims wait for each other\n",
			i, ARRAY_SIZE(pagehint_claimers));
}

void pagehint_claimers_exit(void)
{
	unsigned int i;

	for (i = 0; i < pagehint_nr_claimers; i++)
		kthread_stop(pagehint_claimers[i].task);
	pagehint_nr_claimers = 0;
}
